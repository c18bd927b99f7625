// One rule: its id, the flow-engine events it owns (FlowHandler) and/or a pass over the
// linked program. A rule reports only through report(), which builds the finding from the
// catalog entry for its id.
#pragma once

#include "extract/flow_handler.h"
#include "findings/catalog.h"
#include "findings/quoted.h"

#include <string>
#include <vector>

namespace lockcheck {
class ProgramLinker;

class Rule : public FlowHandler {
public:
  Rule(RuleId id, std::vector<Finding> &out) : id_(id), out_(out) {}
  RuleId id() const { return id_; }
  // The link phase: the whole program is joined and its blocking summaries are solved.
  virtual void link(ProgramLinker &) {}

protected:
  // The finding just added, for a rule to add its fix hint or lower its severity.
  Finding &report(const SourcePoint &anchor, std::string message, std::string lock, const std::string &function,
                  std::vector<TraceStep> trace = {}) {
    out_.push_back(makeFinding(id_, anchor, std::move(message), std::move(lock), function, std::move(trace)));
    return out_.back();
  }

private:
  RuleId id_;
  std::vector<Finding> &out_;
};

} // namespace lockcheck
