#!/usr/bin/env python3
"""Writes synthetic `.lcfacts` (docs/facts-format.md) for N translation units, shaped like a
real C++ monorepo's: each TU defines its own functions (a call chain, some under a lock),
repeats the inline functions of the project headers it includes (a hot set almost every
TU includes, plus a module-local set), declares the system functions it calls, and calls
into other TUs. A few TUs have a blocking leaf (usleep) that a locked caller in another TU
reaches, so link has real cross-TU findings to report. Indirect calls as in real code: each
module header has a small class hierarchy and an iterate(Handler *) that calls a virtual
method on its parameter (judged per call site: most TUs pass a memory handler under their
lock, every tenth a file handler that blocks), every TU calls a callable field fed by one
of its own functions, and every fifth calls a plugin hook whose flow is lost, matched by
type against the functions its group of ten TUs converts to that type. Facts version 4's
issue-30 fields too: descriptor members passed on and their stream flows, escaping
functions, error-path calls. Each module's first TU defines a Mutex wrapper (lock effects
learned from its body), and every TU's flush() calls it with a replay skeleton, so link
replays one per TU (issue 26).

usage: gen_facts.py N OUTDIR [--own 25] [--hot 60] [--module 30] [--seed 1]
Prints the number of files and bytes written. Deterministic for the same arguments.
"""
import argparse
import json
import os
import random

TUS_PER_MODULE = 100
SYSTEM_CALLS = ["std::vector::push_back", "std::basic_string::append", "std::map::find",
                "std::mutex::lock", "std::mutex::unlock", "memcpy", "strlen", "std::operator==",
                "std::unique_ptr::get", "std::shared_ptr::reset", "snprintf", "std::sort"]


def where(path, line):
    return [path, line, 5]


def lock(key, order, display):
    return {"key": key, "order": order, "display": display}


def call(callee, name, path, line, held=None):
    c = {"callee": callee, "callee_name": name, "where": where(path, line)}
    if held:
        c["held"] = [{"lock": held, "acquired": where(path, line - 1)}]
    return c


def system_key(name):
    return "c:@N@sys@F@" + name.replace("::", "@") + "#"


def header_function(group, index, pool):
    """An inline function of include/<group>.h: calls two others of its header, every
    eighth one takes the header's registry lock around them."""
    path = "include/%s.h" % group
    key = "c:@N@%s@F@h%d#" % (group, index)
    held = lock("g:%s::registry_mu" % group, "g:%s::registry_mu" % group, "registry_mu") if index % 8 == 0 else None
    calls = [call(system_key(SYSTEM_CALLS[index % len(SYSTEM_CALLS)]), SYSTEM_CALLS[index % len(SYSTEM_CALLS)],
                  path, 10 * index + 2, held)]
    if index % 4 == 0:  # a descriptor member passed on (facts version 4: streams)
        calls[0]["streams"] = [[0, "f:%s::Log::fd_" % group]]
    for other in (index + 1, index + 7):
        if other < pool:
            calls.append(call("c:@N@%s@F@h%d#" % (group, other), "%s::h%d" % (group, other), path,
                              10 * index + 3, held))
    fn = {"name": "h%d" % index, "qualified": "%s::h%d" % (group, index),
          "where": where(path, 10 * index), "calls": calls}
    if index % 6 == 0:  # publishes its `this` (facts version 4: escapes)
        fn["escapes"] = [-1]
    if held:
        fn["acquires"] = [{"lock": held, "where": where(path, 10 * index + 1)}]
    return key, fn


def module_indirect(module):
    """A module header's hierarchy (Handler <- MemHandler, FileHandler) and iterate(h):
    its classes, and its functions keyed as the facts key them."""
    path = "include/mod%d.h" % module
    ns = "mod%d" % module
    put, mem_put, file_put = ("c:@N@%s@S@%s@F@put#I#" % (ns, c) for c in ("Handler", "MemHandler", "FileHandler"))
    iterate = "c:@N@%s@F@iterate#*$@N@%s@S@Handler#" % (ns, ns)
    classes = {
        ns + "::Handler": {"methods": [[put]], "pure": [0]},
        ns + "::MemHandler": {"bases": [ns + "::Handler"], "methods": [[mem_put, put]]},
        ns + "::FileHandler": {"bases": [ns + "::Handler"], "methods": [[file_put, put]]},
    }
    functions = {
        mem_put: {"name": ns + "::MemHandler::put", "qualified": ns + "::MemHandler::put", "where": where(path, 900)},
        file_put: {"name": ns + "::FileHandler::put", "qualified": ns + "::FileHandler::put", "where": where(path, 910),
                   "calls": [call(system_key("usleep"), "usleep", path, 911)]},
        iterate: {"name": ns + "::iterate", "qualified": ns + "::iterate", "where": where(path, 920),
                  "calls": [dict(call(put, ns + "::Handler::put", path, 921), unresolved=True,
                                 receiver_type=ns + "::Handler", through="p:%s#0" % iterate)]},
    }
    return classes, functions, iterate


def tu_indirect(tu, functions, own, iterate):
    """The TU's indirect calls: iterate(&handler) from fn0 (under its lock), a callable
    field fed by fnLast and called by fn1, and every fifth TU a lost plugin hook called by
    fn2, matched by type. Returns the TU's callable flows and conversions."""
    module = tu // TUS_PER_MODULE
    qual = "m%d::Tu%d" % (module, tu)
    path = "src/m%d/tu%d.cpp" % (module, tu)
    key = lambda j: "c:@N@m%d@S@Tu%d@F@fn%d#" % (module, tu, j)
    handler = "mod%d::%s" % (module, "FileHandler" if tu % 10 == 3 else "MemHandler")
    fn0 = functions[key(0)]
    held = fn0["acquires"][0]["lock"]
    fn0["calls"].append(dict(call(iterate, "mod%d::iterate" % module, path, 11, held),
                             callables=[{"index": 0, "targets": [], "forwards_param": -1, "classes": [handler]}]))
    hook = "f:%s::hook_" % qual
    functions[key(1)]["calls"].append({"callee_name": "hook_", "through": hook, "where": where(path, 35)})
    flows = {hook: {"targets": [key(own - 1)]}}
    event = "void (*)(m%d::Event%d)" % (module, tu // 10)
    conversions = {event: [key(own - 1)]}
    if tu % 5 == 0:
        plugin = "g:m%d::plugin%d" % (module, tu // 10)
        functions[key(2)]["calls"].append({"callee_name": "plugin", "through": plugin, "where": where(path, 55)})
        flows[plugin] = {"slots": ["p:c:@N@m%d@F@set_plugin#%d#0" % (module, tu // 10)], "type": event}
    return flows, conversions


def tu_functions(tu, n, own):
    """The TU's own functions: fn0 -> fn1 -> ... a chain; every fifth takes the class's
    mutex; fn0 calls fn1 of another TU (declared, defined there); blocking TUs' last
    function sleeps."""
    module = tu // TUS_PER_MODULE
    path = "src/m%d/tu%d.cpp" % (module, tu)
    qual = "m%d::Tu%d" % (module, tu)
    functions, decls = {}, {}
    blocking = tu % 50 == 7
    for j in range(own):
        key = "c:@N@m%d@S@Tu%d@F@fn%d#" % (module, tu, j)
        held = lock("t:mu_", "f:%s::mu_" % qual, "mu_") if j % 5 == 0 else None
        line = 20 * j + 10
        calls = []
        if j + 1 < own:
            calls.append(call("c:@N@m%d@S@Tu%d@F@fn%d#" % (module, tu, j + 1), "%s::fn%d" % (qual, j + 1),
                              path, line + 2, held))
        if j == 0:
            other = (tu * 7 + 1) % n
            okey = "c:@N@m%d@S@Tu%d@F@fn1#" % (other // TUS_PER_MODULE, other)
            oname = "m%d::Tu%d::fn1" % (other // TUS_PER_MODULE, other)
            calls.append(call(okey, oname, path, line + 3, held))
            decls[okey] = {"name": oname, "qualified": oname}
        name = SYSTEM_CALLS[(tu + j) % len(SYSTEM_CALLS)]
        calls.append(call(system_key(name), name, path, line + 4))
        if blocking and j == own - 1:
            calls.append(call(system_key("usleep"), "usleep", path, line + 5))
        if j % 7 == 3:  # an error branch's call (facts version 4: path)
            calls[-1]["path"] = "error"
        fn = {"name": "Tu%d::fn%d" % (tu, j), "qualified": "%s::fn%d" % (qual, j),
              "where": where(path, line), "calls": calls}
        if held:
            fn["acquires"] = [{"lock": held, "where": where(path, line + 1)}]
        functions[key] = fn
    # Lock wrappers learned from bodies (issue 26): the module's first TU defines its
    # Mutex::lock/unlock; every TU's flush() calls them, a replay skeleton for link.
    lock_key, unlock_key = "c:@N@m%d@S@Mutex@F@lock#" % module, "c:@N@m%d@S@Mutex@F@unlock#" % module
    mutex = lock("t:mu_", "f:m%d::Mutex::mu_" % module, "mu_")
    if tu % TUS_PER_MODULE == 0:
        for key, kind, name in ((lock_key, "acquire", "lock"), (unlock_key, "release", "unlock")):
            effect = dict(mutex, kind=kind)
            functions[key] = {"name": "Mutex::" + name, "qualified": "m%d::Mutex::%s" % (module, name),
                              "where": where("src/m%d/mutex.cpp" % module, 5), "effects": [effect]}
    else:
        for key, name in ((lock_key, "lock"), (unlock_key, "unlock")):
            decls[key] = {"name": "Mutex::" + name, "qualified": "m%d::Mutex::%s" % (module, name)}
    line = 20 * own + 10
    this_mutex = lock("t:mutex_", "f:%s::mutex_" % qual, "mutex_")
    flush_calls = [call(lock_key, "Mutex::lock", path, line + 1), call(system_key("memcpy"), "memcpy", path, line + 2),
                   call(unlock_key, "Mutex::unlock", path, line + 3)]
    for c in flush_calls:
        c["this_arg"] = "t:mutex_"
    pending = [{"call": i, "at": where(path, line + 1 + i), "self": this_mutex, "role": "call"} for i in (0, 2)]
    functions["c:@N@m%d@S@Tu%d@F@flush#" % (module, tu)] = {
        "name": "Tu%d::flush" % tu, "qualified": "%s::flush" % qual, "where": where(path, line), "calls": flush_calls,
        "program": {"blocks": [{"steps": [["p", 0], ["c", 1], ["p", 1]], "exit": 0}], "pending": pending,
                    "exits": [{"where": where(path, line + 4)}]}}
    for name in SYSTEM_CALLS + ["usleep"]:
        decls[system_key(name)] = {"name": name, "qualified": name, "system": True}
    return path, functions, decls


def members(functions):
    """The "key": value lines of a "functions" object, without the braces."""
    return json.dumps(functions, indent=1, sort_keys=True)[2:-2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--own", type=int, default=25, help="functions defined by each TU")
    ap.add_argument("--hot", type=int, default=60, help="inline functions of the headers every TU includes")
    ap.add_argument("--module", type=int, default=30, help="inline functions of the module's own header")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.n < 1:
        ap.error("N must be at least 1")
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    # Header functions are the same bytes in every TU that includes them (as in real facts):
    # serialise them once and splice them in. Keys inside "functions" are then grouped
    # (own, hot header, module header) rather than sorted; readers do not care.
    hot = dict(header_function("common", i, args.hot) for i in range(args.hot))
    hot_text = members(hot)
    module, module_text = None, ""
    total = 0
    for tu in range(args.n):
        if tu // TUS_PER_MODULE != module:
            module = tu // TUS_PER_MODULE
            module_fns = dict(header_function("mod%d" % module, i, args.module) for i in range(args.module))
            classes, indirect_fns, iterate = module_indirect(module)
            module_fns.update(indirect_fns)
            module_text = members(module_fns)
        path, functions, decls = tu_functions(tu, args.n, args.own)
        flows, conversions = tu_indirect(tu, functions, args.own, iterate)
        parts = [members(functions), module_text]
        included = dict(module_fns)
        if rng.random() < 0.95:  # most TUs include the hot header
            parts.append(hot_text)
            included.update(hot)
        for fn in included.values():
            for c in fn.get("calls", []):
                if "callee" in c and c["callee"] not in included and c["callee"] not in decls:
                    decls[c["callee"]] = {"name": c["callee_name"], "qualified": c["callee_name"]}
        # Every TU that includes a header writes what flows into its descriptor members.
        stream_flows = {"f:mod%d::Log::fd_" % module: {"unknown": True}}
        if "common" in "".join(parts[2:]):
            stream_flows["f:common::Log::fd_"] = {"slots": ["r:c:@N@common@F@open_log#"]}
        text = ('{\n "callable_flows": %s,\n "callable_types": %s,\n "classes": %s,\n "decls": %s,\n "file": %s,\n'
                ' "functions": {\n%s\n },\n "findings": [],\n "lockcheck_facts": 4,\n "stream_flows": %s\n}'
                % (json.dumps(flows, indent=1, sort_keys=True), json.dumps(conversions, indent=1, sort_keys=True),
                   json.dumps(classes, indent=1, sort_keys=True), json.dumps(decls, indent=1, sort_keys=True),
                   json.dumps(path), ",\n".join(parts), json.dumps(stream_flows, indent=1, sort_keys=True)))
        with open(os.path.join(args.outdir, "tu%06d.lcfacts" % tu), "w") as out:
            out.write(text)
        total += len(text)
    print("%d files, %d bytes" % (args.n, total))


if __name__ == "__main__":
    main()
