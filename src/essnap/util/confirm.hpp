// Plan -> print -> confirm -> execute for destructive commands, free of any domain: a plan is a
// list of human-readable actions plus its JSON form; the policy says whether to ask, and how
// (the prompt is injected: the CLI asks on the terminal, tests answer directly).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::util {

enum class NeedsConfirmation { kYes, kNo };  // kNo: the plan changes nothing irreversibly

struct Plan {
  std::string summary;               // "will delete 3 snapshot(s) from repository r"
  std::vector<std::string> actions;  // one line per thing that will happen
  nlohmann::json json;               // the same plan for machines (--output json)
  NeedsConfirmation confirm = NeedsConfirmation::kYes;
  std::string question;                           // "Delete these 3 snapshot(s)?"
  std::string unchanged = "nothing was changed";  // said when it does not run
  std::string yes_hint = "pass --yes to go ahead without a prompt";
  // A refusal found while planning (e.g. "the snapshots are running"): the plan is printed,
  // then this error returned, and nothing runs.
  std::optional<Error> blocker;
};

enum class Answer { kYes, kNo, kNoTerminal };
using Prompt = std::function<Answer(const std::string& question)>;

enum class AssumeYes { kNo, kYes };          // --yes
enum class Execution { kExecute, kDryRun };  // --dry-run

struct ConfirmPolicy {
  AssumeYes assume_yes = AssumeYes::kNo;
  Execution execution = Execution::kExecute;
  Prompt prompt;  // unset: as if there were no terminal
};

enum class Outcome { kExecuted, kDryRun };

// Prints the plan, then: a blocker -> that error; a dry run -> kDryRun; otherwise asks (unless
// --yes or the plan needs no confirmation) and runs `execute`. Not confirmed, or no terminal
// and no --yes -> kConflict saying plan.unchanged and plan.yes_hint, with nothing executed.
Result<Outcome> run_plan(const Plan& plan, const ConfirmPolicy& policy,
                         const std::function<void(const Plan&)>& print,
                         const std::function<Status()>& execute);

}  // namespace essnap::util
