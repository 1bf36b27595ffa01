// `cyanrig history [list|trend|record|tag|quarantine]`: the runs remembered, a measurement's trend per
// platform or device, importing results folders, tags for gate baselines, the quarantine list.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/history_choice.hpp"
#include "rig/history/history_location.hpp"
#include "rig/history/quarantine.hpp"
#include "rig/history/trend.hpp"
#include "rig/results/writers.hpp"

namespace cyanrig::cli {
namespace {

struct HistoryArgs {
  HistoryOptions history;
  std::string scenario;
  std::string rack;
  int limit = 20;
  std::string measurement;
  std::string by = "platform";
  std::vector<std::string> dirs;
  std::string firmware;
  std::int64_t run = 0;
  std::string name;
  std::string device;
  std::string reason;
};

std::string value_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : "-";
}

int list_runs(RunHistory& history, const HistoryArgs& args) {
  const auto runs = history.runs({.scenario = args.scenario, .rack = args.rack, .limit = args.limit});
  fmt::print("{:>5}  {:<20} {:<24} {:<14} {:<9} {:>4} {:>7}  {:<12} {}\n", "run", "started", "scenario",
             "rack", "verdict", "exit", "failed", "firmware", "results");
  for (const HistoryRun& r : runs) {
    fmt::print("{:>5}  {:<20} {:<24} {:<14} {:<9} {:>4} {:>7}  {:<12} {}\n", r.id, r.started_utc, r.scenario,
               r.rack, r.verdict + (r.status == "finished" ? "" : "*"), r.exit_code,
               fmt::format("{}/{}", r.failed_devices, r.devices),
               r.firmware_tag.empty() ? "-" : r.firmware_tag, r.results_dir);
  }
  if (runs.empty()) fmt::print("(no runs recorded in {})\n", without_password(history.database().where()));
  return kExitPass;
}

int show_trend(RunHistory& history, const HistoryArgs& args) {
  const auto points =
      measurement_trend(history, {.scenario = args.scenario,
                                  .measurement = args.measurement,
                                  .by = args.by == "device" ? TrendBy::device : TrendBy::platform,
                                  .runs = args.limit});
  if (points.empty()) {
    fmt::print(stderr, "cyanrig history trend: no samples of '{}'{}\n", args.measurement,
               args.scenario.empty() ? "" : " in runs of " + args.scenario);
    return kExitInvalid;
  }
  fmt::print("{:>5}  {:<20} {:<12} {:<10} {:>4} {:>8} {:>10} {:>10} {:>10}\n", "run", "started", "firmware",
             args.by, "n", "missing", "p50", "p75", "max");
  for (const TrendPoint& p : points) {
    fmt::print("{:>5}  {:<20} {:<12} {:<10} {:>4} {:>8} {:>10} {:>10} {:>10}\n", p.run_id, p.started_utc,
               p.firmware_tag.empty() ? "-" : p.firmware_tag, p.group, p.count, p.missing, value_text(p.p50),
               value_text(p.p75), value_text(p.max));
  }
  return kExitPass;
}

int record_dirs(RunHistory& history, const HistoryArgs& args) {
  int exit_code = kExitPass;
  for (const std::string& dir : args.dirs) {
    Diagnostics diags;
    const auto run = read_results_folder(dir, diags);
    for (const Diagnostic& d : diags.items()) fmt::print(stderr, "{}\n", d.to_string());
    if (!run) {
      exit_code = kExitInvalid;
      continue;
    }
    const auto recording = history.record(*run, {.firmware_tag = args.firmware});
    fmt::print("{}: {} run {}\n", dir, recording.already_recorded ? "already recorded as" : "recorded as",
               recording.run_id);
  }
  return exit_code;
}

int quarantine(RunHistory& history, const HistoryArgs& args, const std::string& action) {
  QuarantineList list(history.database());
  const std::string scenario = args.scenario.empty() ? "*" : args.scenario;
  if (action == "add") {
    list.add(args.device, scenario, args.reason, utc_iso(std::chrono::system_clock::now()));
    fmt::print("{} quarantined for {}: its failures are reported but do not fail runs\n", args.device,
               scenario == "*" ? "every scenario" : scenario);
    return kExitPass;
  }
  if (action == "remove") {
    if (!list.remove(args.device, scenario)) {
      fmt::print(stderr, "cyanrig history quarantine remove: {} is not quarantined for {}\n", args.device,
                 scenario);
      return kExitInvalid;
    }
    fmt::print("{} no longer quarantined for {}\n", args.device,
               scenario == "*" ? "every scenario" : scenario);
    return kExitPass;
  }
  const auto entries = list.entries();
  for (const QuarantineEntry& e : entries)
    fmt::print("{:<14} {:<24} since {}  {}\n", e.device, e.scenario == "*" ? "(every scenario)" : e.scenario,
               e.since_utc, e.reason);
  if (entries.empty()) fmt::print("(no device is quarantined)\n");
  return kExitPass;
}

}  // namespace

void add_history_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<HistoryArgs>();
  auto* cmd = app.add_subcommand("history", "Runs remembered, measurement trends, tags and quarantine");
  cmd->require_subcommand(0, 1);
  cmd->fallthrough();  // --history and the filters may follow the subcommand
  add_history_options(cmd, args->history, false);
  cmd->add_option("--scenario", args->scenario, "Only runs of this scenario");
  cmd->add_option("--rack", args->rack, "Only runs on this rack");
  cmd->add_option("--limit", args->limit, "How many of the latest runs (default 20)")
      ->check(CLI::Range(1, 100000));
  auto* list = cmd->add_subcommand("list", "The latest runs, oldest first (the default)");
  auto* trend =
      cmd->add_subcommand("trend", "A measurement's p50/p75/max per platform (or device) over the last runs");
  trend->add_option("measurement", args->measurement, "Measurement name, e.g. reconnect_time")->required();
  trend->add_option("--by", args->by, "platform (default) or device")
      ->check(CLI::IsMember({"platform", "device"}));
  auto* record = cmd->add_subcommand("record", "Record results folders of earlier runs");
  record->add_option("dirs", args->dirs, "Results folders")->required();
  record->add_option("--firmware", args->firmware, "Firmware build the runs tested");
  auto* tag = cmd->add_subcommand("tag", "Name a run, for `gate --baseline tag:NAME`");
  tag->add_option("run", args->run, "Run number")->required();
  tag->add_option("name", args->name, "Tag, e.g. release-2.4")->required();
  auto* q = cmd->add_subcommand("quarantine", "Devices whose failures are reported but do not fail runs");
  q->require_subcommand(0, 1);
  q->fallthrough();
  auto* q_add = q->add_subcommand("add", "Quarantine a device (for --scenario, else every scenario)");
  q_add->add_option("device", args->device, "Device name")->required();
  q_add->add_option("--reason", args->reason, "Why, for whoever reads the list")->required();
  auto* q_remove = q->add_subcommand("remove", "Take a device out of quarantine");
  q_remove->add_option("device", args->device, "Device name")->required();
  q->add_subcommand("list", "The quarantine list (the default)");
  for (auto* sub : {q_add, q_remove}) sub->add_option("--scenario", args->scenario, "Only for this scenario");

  commands.on(cmd, [=] {
    int exit_code = kExitPass;
    auto history = open_required_history(args->history, "history", exit_code);
    if (!history) return exit_code;
    try {
      if (*trend) return show_trend(*history, *args);
      if (*record) return record_dirs(*history, *args);
      if (*tag) {
        history->tag(args->run, args->name);
        fmt::print("run {} tagged {}\n", args->run, args->name);
        return kExitPass;
      }
      if (*q) return quarantine(*history, *args, *q_add ? "add" : *q_remove ? "remove" : "list");
      (void)list;
      return list_runs(*history, *args);
    } catch (const HistoryError& e) {
      fmt::print(stderr, "cyanrig history: {}\n", e.what());
      return kExitInfrastructure;
    }
  });
}

}  // namespace cyanrig::cli
