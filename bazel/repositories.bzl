"""Makes an installed lockcheck binary a Bazel input (so it is part of every action's key)."""

def _lockcheck_binary_impl(rctx):
    path = rctx.attr.path or rctx.os.environ.get("LOCKCHECK_BIN", "")
    if not path:
        found = rctx.which("lockcheck")
        if not found:
            fail("lockcheck not found: install it, or set path = ... or --repo_env=LOCKCHECK_BIN=/path/to/lockcheck")
        path = str(found)
    binary = rctx.path(path)
    if not binary.exists:
        fail("lockcheck binary '%s' does not exist" % path)
    rctx.symlink(binary, "lockcheck")
    rctx.file("BUILD", 'exports_files(["lockcheck"], visibility = ["//visibility:public"])\n')

lockcheck_binary = repository_rule(
    implementation = _lockcheck_binary_impl,
    attrs = {"path": attr.string(doc = "absolute path of the lockcheck binary (default: $LOCKCHECK_BIN, then PATH)")},
    environ = ["LOCKCHECK_BIN", "PATH"],
    local = True,
    doc = "Exposes a lockcheck binary as @<name>//:lockcheck.",
)
