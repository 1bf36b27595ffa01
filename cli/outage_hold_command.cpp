// `cyanrig outage hold SEGMENT --mode MODE`: puts an outage in force on one segment by hand and keeps
// it there, in the foreground, until Ctrl-C (or SIGTERM, SIGHUP, or --for runs out), then lifts it.
// While it holds it does what a run does every kOutageHoldPeriod: asks the backend to confirm the
// outage is still as it was put, and to renew what keeps it alive (the nftables lease). Killed
// without a chance to lift it, the outage lapses by itself (docs/outages.md). Holds the rack's lock.
#include <fmt/format.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_bench.hpp"
#include "cli/rack_choice.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::cli {
namespace {

struct HoldArgs {
  std::string segment;
  std::string rack;
  std::string mode;
  std::string action = "drop";
  double loss_percent = 0;
  std::string delay;
  std::string jitter;
  std::string hold_for;
  Duration lock_wait{0};
};

// The outage the options ask for; nothing (with the reason printed) when they do not make one.
std::optional<OutageSpec> spec_of(const HoldArgs& args) {
  OutageSpec spec;
  spec.mode = *outage_mode_named(args.mode);  // CLI11 checked it is one
  spec.action = *outage_action_named(args.action);
  for (const auto& [text, into] :
       {std::pair{&args.delay, &spec.impair.delay}, {&args.jitter, &spec.impair.jitter}}) {
    if (text->empty()) continue;
    const DurationParse parsed = parse_duration(*text);
    if (!parsed.value) {
      fmt::print(stderr, "cyanrig: {}\n", parsed.error);
      return std::nullopt;
    }
    *into = *parsed.value;
  }
  spec.impair.loss_percent = args.loss_percent;
  const bool impairs = spec.impair.loss_percent > 0 || spec.impair.delay > Duration::zero();
  if ((spec.mode == OutageMode::impair) != impairs) {
    fmt::print(stderr, "cyanrig: {}\n",
               impairs ? "--loss, --delay and --jitter belong to --mode impair"
                       : "--mode impair needs --loss (percent) and/or --delay");
    return std::nullopt;
  }
  return spec;
}

// Holds one outage on the loop until it is told to stop, then lifts it.
class Holding {
 public:
  Holding(RackBench& bench, OutageSwitch& outage, std::string label)
      : bench_(bench), outage_(outage), label_(std::move(label)), signals_(bench.clock().io()) {}

  // Runs until a signal, `length` (if any) or a fault; returns the exit code after lifting.
  int hold(std::optional<Duration> length) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      ending_ = fmt::format("{}: lifting it", ::strsignal(signal));
      bench_.clock().stop();
    });
    if (length) {
      end_ = bench_.clock().after(*length, [this, length] {
        ending_ = fmt::format("held for {}: lifting it", format_duration(*length));
        bench_.clock().stop();
      });
    }
    next_hold();
    while (ending_.empty()) bench_.clock().run();
    signals_.cancel();
    renewal_.cancel();
    end_.cancel();
    fmt::print("{}: {}\n", label_, ending_);
    const Status lifted = bench_.await([this](Done done) { outage_.stop(std::move(done)); });
    if (!lifted.ok()) {
      fmt::print(stderr, "cyanrig: {}: could not lift the outage: {}; run `cyanrig outage clear`\n", label_,
                 lifted.message());
      return kExitInfrastructure;
    }
    fmt::print("{}: lifted\n", label_);
    return faulted_ ? kExitInfrastructure : kExitPass;
  }

 private:
  void next_hold() {
    renewal_ = bench_.clock().after(kOutageHoldPeriod, [this] {
      outage_.hold([this](Status status) {
        if (!ending_.empty()) return;
        if (status.ok()) return next_hold();
        faulted_ = true;
        ending_ =
            fmt::format("the outage is no longer as it was put: {}; lifting what is left", status.message());
        bench_.clock().stop();
      });
    });
  }

  RackBench& bench_;
  OutageSwitch& outage_;
  std::string label_;
  boost::asio::signal_set signals_;
  Timer renewal_;
  Timer end_;
  std::string ending_;  // why holding ends; empty while it holds
  bool faulted_ = false;
};

int cmd_outage_hold(const HoldArgs& args) {
  const auto spec = spec_of(args);
  if (!spec) return kExitInvalid;
  std::optional<Duration> length;
  if (!args.hold_for.empty()) {
    const DurationParse parsed = parse_duration(args.hold_for);
    if (!parsed.value) {
      fmt::print(stderr, "cyanrig: --for: {}\n", parsed.error);
      return kExitInvalid;
    }
    length = parsed.value;
  }
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const Segment* segment = rack->find_segment(args.segment);
  if (segment == nullptr) {
    fmt::print(stderr, "cyanrig: no segment '{}' in rack '{}' ({})\n", args.segment, rack->name, rack->file);
    return kExitInvalid;
  }
  const auto index = outage_backend_for(*segment, spec->mode, backends());
  if (!index) {
    fmt::print(stderr, "cyanrig: no outage backend of segment '{}' performs {} outages\n", segment->name,
               args.mode);
    return kExitInvalid;
  }
  // A closed stdout (`cyanrig outage hold ... | head`) must not end the process with the outage in force.
  ::signal(SIGPIPE, SIG_IGN);
  const auto lock = lock_rack(*rack, {.command = "outage hold " + segment->name, .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  RackBench bench(std::move(*rack));
  const Segment& held = *bench.rack().find_segment(args.segment);
  const BackendSpec& backend = held.outages[*index];
  const std::string label = fmt::format("{} / {}", held.name, backend.backend);
  auto outage = bench.build<OutageSwitch>(BackendSite{backend, nullptr, &held}, label);
  if (!outage) return kExitInfrastructure;

  std::optional<std::string> removed;
  const Status swept = bench.await([&](Done done) {
    outage->sweep([&removed, done = std::move(done)](Status status, std::optional<std::string> what) {
      removed = std::move(what);
      done(std::move(status));
    });
  });
  if (removed) fmt::print("{}: {}\n", label, *removed);
  if (!swept.ok()) {
    fmt::print(stderr, "cyanrig: {}: {}\n", label, swept.message());
    return kExitInfrastructure;
  }
  const Status started = bench.await([&](Done done) { outage->start(*spec, std::move(done)); });
  if (!started.ok()) {
    fmt::print(stderr, "cyanrig: {}: could not start the outage: {}\n", label, started.message());
    // Whatever it left half-done.
    if (const Status lifted = bench.await([&](Done done) { outage->stop(std::move(done)); }); !lifted.ok()) {
      fmt::print(stderr, "cyanrig: {}: could not lift what is left: {}; run `cyanrig outage clear`\n", label,
                 lifted.message());
    }
    return kExitInfrastructure;
  }
  fmt::print("{}: {} in force ({}); {}\n", label, describe(*spec), outage->describe(),
             length ? "lifted after " + format_duration(*length) + " or on Ctrl-C" : "Ctrl-C lifts it");
  std::fflush(stdout);
  return Holding(bench, *outage, label).hold(length);
}

}  // namespace

void add_outage_hold_command(CLI::App& outage, Subcommands& commands) {
  auto args = std::make_shared<HoldArgs>();
  auto* cmd = outage.add_subcommand(
      "hold",
      "Put an outage in force on SEGMENT and hold it (renewing it, checking it) until Ctrl-C or --for, then "
      "lift it; killed, it lapses by itself");
  cmd->add_option("segment", args->segment, "Network segment of the rack")->required();
  cmd->add_option("--mode", args->mode, "cloud, internet, dns, impair or link")
      ->required()
      ->check(CLI::IsMember({"cloud", "internet", "dns", "impair", "link"}));
  cmd->add_option("--action", args->action, "drop (default) or reject")
      ->check(CLI::IsMember({"drop", "reject"}));
  cmd->add_option("--loss", args->loss_percent, "impair: percent of packets lost")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--delay", args->delay, "impair: added delay, e.g. 200ms");
  cmd->add_option("--jitter", args->jitter, "impair: delay variation, e.g. 50ms");
  cmd->add_option("--for", args->hold_for, "Lift it after this long (e.g. 5m); default: on Ctrl-C");
  cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  add_lock_wait_option(*cmd, args->lock_wait);
  commands.on(cmd, [args] { return cmd_outage_hold(*args); });
}

}  // namespace cyanrig::cli
