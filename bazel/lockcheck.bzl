"""lockcheck for Bazel: extract per translation unit as cacheable actions, link per report.

lockcheck_aspect   runs `lockcheck extract` once per C++ source of every cc_* target it
                   visits (following deps), with the target's includes, defines and copts and
                   every header it may read as declared inputs; outputs `.lcfacts` files, so a
                   disk/remote cache and a remote executor treat them like object files.
lockcheck_report   runs `lockcheck link` over the transitive facts of `deps` (text/json/sarif).
lockcheck_test     the same link as a test: fails when the report has failing findings.
See docs/bazel.md.
"""

LockcheckFactsInfo = provider(
    doc = "Facts files of a target and everything it depends on.",
    fields = {"facts": "depset of .lcfacts Files"},
)

_SOURCE_EXTENSIONS = ["cc", "cpp", "cxx", "c++", "C", "cu"]
_CC_RULES = ["cc_library", "cc_binary", "cc_test"]
_LOCKCHECK = attr.label(
    default = Label("@lockcheck//:lockcheck"),
    executable = True,
    cfg = "exec",
    allow_single_file = True,
)

def _compile_flags(ctx, compilation):
    flags = ["-D" + d for d in compilation.defines.to_list()]
    flags += ["-D" + d for d in getattr(ctx.rule.attr, "local_defines", [])]
    flags += ["-I" + d for d in compilation.includes.to_list()]
    flags += ["-iquote" + d for d in compilation.quote_includes.to_list()]
    flags += ["-isystem" + d for d in compilation.system_includes.to_list()]
    flags += getattr(ctx.rule.attr, "copts", [])
    return flags

def _facts_path(target, src):
    # One directory per target: two targets may compile the same source differently.
    return "%s.lockcheck/%s.lcfacts" % (target.label.name, src.short_path.replace("../", "_external/"))

def _extract(ctx, target):
    compilation = target[CcInfo].compilation_context
    flags = _compile_flags(ctx, compilation)
    own_files = depset(ctx.rule.files.srcs + getattr(ctx.rule.files, "hdrs", []))
    facts = []
    for src in ctx.rule.files.srcs:
        if src.extension not in _SOURCE_EXTENSIONS:
            continue
        out = ctx.actions.declare_file(_facts_path(target, src))
        ctx.actions.run(
            executable = ctx.executable._lockcheck,
            arguments = ["extract", src.path, "-o", out.path, "--quiet", "--"] + flags,
            inputs = depset(transitive = [own_files, compilation.headers]),
            outputs = [out],
            mnemonic = "LockcheckExtract",
            progress_message = "lockcheck extract %s" % src.short_path,
        )
        facts.append(out)
    return facts

def _lockcheck_aspect_impl(target, ctx):
    facts = []
    if CcInfo in target and ctx.rule.kind in _CC_RULES:
        facts = _extract(ctx, target)
    transitive = [dep[LockcheckFactsInfo].facts for dep in getattr(ctx.rule.attr, "deps", []) if LockcheckFactsInfo in dep]
    all_facts = depset(facts, transitive = transitive)
    return [
        LockcheckFactsInfo(facts = all_facts),
        OutputGroupInfo(lockcheck_facts = all_facts),
    ]

lockcheck_aspect = aspect(
    implementation = _lockcheck_aspect_impl,
    attr_aspects = ["deps"],
    attrs = {"_lockcheck": _LOCKCHECK},
    doc = "Runs `lockcheck extract` per C++ source; output group `lockcheck_facts`.",
)

def _link(ctx, extension):
    """Declares <name>.<extension> (the report) and <name>.status (link's exit status)."""
    facts = depset(transitive = [dep[LockcheckFactsInfo].facts for dep in ctx.attr.deps])
    report = ctx.actions.declare_file("%s.%s" % (ctx.label.name, extension))
    status = ctx.actions.declare_file(ctx.label.name + ".status")
    args = ctx.actions.args()
    args.add(ctx.executable._lockcheck)
    args.add(report)
    args.add(status)
    args.add("--format", ctx.attr.format)
    args.add_all(ctx.files.rules, before_each = "--rules")

    # One facts path a line in a list file: a large program's paths exceed ARG_MAX.
    facts_list = ctx.actions.args()
    facts_list.use_param_file("@%s", use_always = True)
    facts_list.set_param_file_format("multiline")
    facts_list.add_all(facts)

    # Findings (exit 1) are the report's content, not a build failure; errors (2) fail.
    ctx.actions.run_shell(
        command = 'tool="$1" report="$2" status="$3"; shift 3; ' +
                  'rc=0; "$tool" link --quiet -o "$report" "$@" || rc=$?; ' +
                  'echo "$rc" > "$status"; [ "$rc" -le 1 ]',
        arguments = [args, facts_list],
        inputs = depset(ctx.files.rules, transitive = [facts]),
        tools = [ctx.executable._lockcheck],
        outputs = [report, status],
        mnemonic = "LockcheckLink",
        progress_message = "lockcheck link %s" % ctx.label,
    )
    return report, status

_FORMAT_EXTENSIONS = {"text": "txt", "json": "json", "sarif": "sarif"}

_LINK_ATTRS = {
    "deps": attr.label_list(aspects = [lockcheck_aspect], doc = "cc_* targets to check, with their deps"),
    "format": attr.string(default = "text", values = _FORMAT_EXTENSIONS.keys()),
    "rules": attr.label_list(allow_files = True, doc = "extra rule pack files (--rules)"),
    "_lockcheck": _LOCKCHECK,
}

def _lockcheck_report_impl(ctx):
    report, status = _link(ctx, _FORMAT_EXTENSIONS[ctx.attr.format])
    return [DefaultInfo(files = depset([report])), OutputGroupInfo(lockcheck_status = depset([status]))]

lockcheck_report = rule(
    implementation = _lockcheck_report_impl,
    attrs = _LINK_ATTRS,
    doc = "The lockcheck report over deps and everything they depend on.",
)

def _lockcheck_test_impl(ctx):
    report, status = _link(ctx, _FORMAT_EXTENSIONS[ctx.attr.format])
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        'cat "%s"; exit "$(cat "%s")"\n' % (report.short_path, status.short_path),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = [report, status]))]

lockcheck_test = rule(
    implementation = _lockcheck_test_impl,
    attrs = _LINK_ATTRS,
    test = True,
    doc = "Fails when lockcheck reports findings at or above the failing severity.",
)
