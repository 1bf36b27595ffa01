// `cyanrig sim serve`: a simulated rack in real time behind a Particle-compatible HTTP API and ptys;
// `cyanrig sim ctl`: its control API from the shell, as the served rack file's command backends use
// it. docs/sim-serve.md.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "drivers/sim/serve/control_api.hpp"
#include "drivers/sim/serve/http_client.hpp"
#include "drivers/sim/serve/served_rack.hpp"
#include "drivers/sim/serve/served_rack_file.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig::cli {
namespace {

namespace fs = std::filesystem;

struct ServeArgs {
  std::string rack;
  std::uint16_t port = 0;
  std::string token;
  std::string token_file;
  std::string write_rack;
  std::uint64_t seed = 1;
  std::string stream_keepalive = "9s";
  std::string device_timeout;
};

struct CtlArgs {
  std::string url;
  std::string device;
  std::string power;
  std::string segment;
  std::string outage_action;  // start | stop
  std::string mode;
  std::string action = "drop";
  int status = 0;
  int count = 0;
  std::string retry_after = "0s";
  bool silent_stream = false;
  bool drop_connections = false;
  bool clear = false;
};

// Exits with a message on a malformed duration option.
std::optional<Duration> duration_option(const std::string& name, const std::string& text) {
  const DurationParse parsed = parse_duration(text);
  if (!parsed.value) fmt::print(stderr, "cyanrig sim: {} '{}': {}\n", name, text, parsed.error);
  return parsed.value;
}

std::string random_token() {
  std::random_device entropy;
  std::string token;
  for (int i = 0; i < 5; ++i) token += fmt::format("{:08x}", entropy());
  return token;
}

std::optional<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) return std::nullopt;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

// The token for the rack file's cloud backend, readable by its owner only.
bool write_private_file(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written =
      ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && written;
}

// Written next to its final name and renamed, so a reader waiting for the file never sees half of it.
bool write_whole_file(const fs::path& path, const std::string& text) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  return !ec;
}

// Writes the rack file (and the token file next to it, unless the token came from one).
bool write_served_rack(const ServeArgs& args, const sim::ServedRack& served, const std::string& url,
                       const std::string& token) {
  const fs::path rack_path = fs::absolute(args.write_rack);
  fs::path token_path = args.token_file.empty() ? fs::path(rack_path).replace_extension(".token")
                                                : fs::absolute(args.token_file);
  if (args.token_file.empty() && !write_private_file(token_path, token + "\n")) {
    fmt::print(stderr, "cyanrig sim serve: cannot write {}\n", token_path.string());
    return false;
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const sim::ServedRackFile file{.cyanrig = ec ? std::string("cyanrig") : self.string(),
                                 .url = url,
                                 .token_file = token_path.string(),
                                 .command_outage = backends().find<OutageSwitch>("command") != nullptr};
  if (!write_whole_file(rack_path, sim::served_rack_yaml(served.rack(), served.devices(), file))) {
    fmt::print(stderr, "cyanrig sim serve: cannot write {}\n", rack_path.string());
    return false;
  }
  fmt::print("rack file: {} (token in {})\n", rack_path.string(), token_path.string());
  return true;
}

int cmd_serve(const ServeArgs& args) {
  const auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const auto keepalive = duration_option("--stream-keepalive", args.stream_keepalive);
  const auto device_timeout = args.device_timeout.empty()
                                  ? std::optional<Duration>()
                                  : duration_option("--device-timeout", args.device_timeout);
  if (!keepalive || (!args.device_timeout.empty() && !device_timeout)) return kExitInvalid;
  std::string token = args.token;
  if (!args.token_file.empty()) {
    const auto from_file = read_token_file(args.token_file);
    if (!from_file || from_file->empty()) {
      fmt::print(stderr, "cyanrig sim serve: cannot read a token from {}\n", args.token_file);
      return kExitInvalid;
    }
    token = *from_file;
  }
  if (token.empty()) token = random_token();

  std::unique_ptr<sim::ServedRack> served;
  try {
    served = std::make_unique<sim::ServedRack>(
        *rack,
        sim::ServedRackOptions{.seed = args.seed,
                               .serve = {.port = args.port, .token = token, .stream_keepalive = *keepalive},
                               .device_timeout = device_timeout});
  } catch (const std::exception& e) {
    fmt::print(stderr, "cyanrig sim serve: {}\n", e.what());
    return kExitInfrastructure;
  }
  const std::string url = served->server().url();
  fmt::print("serving rack {} at {}\n", rack->name, url);
  if (args.token.empty() && args.token_file.empty() && args.write_rack.empty())
    fmt::print("token: {}\n", token);
  for (const sim::ServedDevice& d : served->devices())
    fmt::print("  {:<12} {}  serial {}\n", d.name, d.id, d.pty);
  if (!args.write_rack.empty() && !write_served_rack(args, *served, url, token)) return kExitInfrastructure;

  {
    // Gone before the served rack: it lives on the rack's io_context, which the rack owns
    // (ThreadSanitizer found the signal set destroyed after it, a use after free at every stop).
    boost::asio::signal_set signals(served->clock().io(), SIGINT, SIGTERM);
    signals.async_wait([&served](const boost::system::error_code& ec, int) {
      if (!ec) served->stop();
    });
    fmt::print("ready (Ctrl-C to stop)\n");
    std::fflush(stdout);
    served->run();
    signals.cancel();
  }
  served.reset();
  fmt::print("stopped\n");
  return 0;
}

// Prints the outcome of a control request; exit 0, 2 when refused, 3 when unreachable.
int report(const sim::ControlAnswer& answer, const std::function<std::string(const nlohmann::json&)>& say) {
  if (!answer.error.empty()) {
    fmt::print(stderr, "cyanrig sim ctl: {}\n", answer.error);
    return kExitInfrastructure;
  }
  if (!answer.ok()) {
    const bool has_error = answer.body.is_object() && answer.body.contains("error");
    fmt::print(stderr, "cyanrig sim ctl: HTTP {}: {}\n", answer.status,
               has_error ? answer.body["error"].dump() : answer.body.dump());
    return answer.status >= 500 ? kExitInfrastructure : kExitInvalid;
  }
  fmt::print("{}\n", say(answer.body));
  return 0;
}

int cmd_ctl_power(const CtlArgs& args) {
  return report(sim::control_request(args.url, sim::http::verb::post,
                                     fmt::format("/sim/devices/{}/power/{}", args.device, args.power)),
                [&](const nlohmann::json&) { return fmt::format("{}: power {}", args.device, args.power); });
}

int cmd_ctl_outage(const CtlArgs& args) {
  const std::string target = fmt::format("/sim/segments/{}/outage", args.segment);
  if (args.outage_action == "status") {
    // The command outage backend's `status` contract: exit 0 in force, 1 not (docs/outages.md).
    bool in_force = false;
    const int code =
        report(sim::control_request(args.url, sim::http::verb::get, target), [&](const nlohmann::json& body) {
          const nlohmann::json& outage = body["outage"];
          in_force = outage.is_object();
          return in_force ? fmt::format("{}: {} outage ({}) in force", args.segment,
                                        outage.value("mode", "?"), outage.value("action", "?"))
                          : fmt::format("{}: no outage", args.segment);
        });
    return code != 0 ? code : in_force ? 0 : 1;
  }
  if (args.outage_action == "stop") {
    return report(sim::control_request(args.url, sim::http::verb::delete_, target),
                  [&](const nlohmann::json&) { return fmt::format("{}: outage lifted", args.segment); });
  }
  if (args.mode.empty()) {
    fmt::print(stderr, "cyanrig sim ctl outage: start needs a mode (cloud, internet, dns, link)\n");
    return kExitInvalid;
  }
  // The command outage backend passes an empty action when the step gives none.
  const std::string action = args.action.empty() ? "drop" : args.action;
  return report(sim::control_request(args.url, sim::http::verb::post, target,
                                     {{"mode", args.mode}, {"action", action}}),
                [&](const nlohmann::json&) {
                  return fmt::format("{}: {} outage ({})", args.segment, args.mode, action);
                });
}

int cmd_ctl_fault(const CtlArgs& args) {
  const auto retry_after = duration_option("--retry-after", args.retry_after);
  if (!retry_after) return kExitInvalid;
  const bool asked = args.status != 0 || args.silent_stream || args.drop_connections;
  if (!asked && !args.clear) {
    return report(sim::control_request(args.url, sim::http::verb::get, "/sim/faults"),
                  [](const nlohmann::json& body) { return body["faults"].dump(); });
  }
  const sim::ServedFaults faults{
      .status = args.status,
      .count = args.count,
      .retry_after = *retry_after,
      .silent_stream = args.silent_stream,
      .drop_connections = args.drop_connections,
  };
  const auto answer = args.clear ? sim::control_request(args.url, sim::http::verb::delete_, "/sim/faults")
                                 : sim::control_request(args.url, sim::http::verb::put, "/sim/faults",
                                                        sim::faults_json(faults));
  return report(answer, [](const nlohmann::json& body) { return "faults: " + body["faults"].dump(); });
}

int cmd_ctl_status(const CtlArgs& args) {
  return report(sim::control_request(args.url, sim::http::verb::get, "/sim/status"),
                [](const nlohmann::json& body) { return body.dump(2); });
}

void add_serve_command(CLI::App& sim, Subcommands& commands) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = sim.add_subcommand(
      "serve",
      "Run a simulated rack in real time: its cloud as a Particle-compatible HTTP API on loopback, each "
      "device's USB serial on a pty; runs until SIGINT/SIGTERM");
  serve->add_option("--rack", args->rack,
                    "Rack file whose sim devices to serve (default: the built-in sim rack)");
  serve->add_option("--port", args->port, "Port to listen on (default: any free port)")
      ->check(whole_number(0, UINT16_MAX));
  auto* token =
      serve->add_option("--token", args->token, "Bearer token the API accepts (default: a random one)");
  serve->add_option("--token-file", args->token_file, "Read the token from this file")->excludes(token);
  serve->add_option("--write-rack", args->write_rack,
                    "Write a rack file pointing cyanrig's real backends at the served rack (and a 0600 "
                    "token file next to it)");
  serve->add_option("--seed", args->seed, "Seed for the simulated devices")
      ->check(whole_number(0, UINT64_MAX));
  serve->add_option("--stream-keepalive", args->stream_keepalive,
                    "Keepalive comment interval on event streams");
  serve->add_option("--device-timeout", args->device_timeout,
                    "How long a request to an unreachable device takes to fail with 408 (default 30s)");
  commands.on(serve, [args] { return cmd_serve(*args); });
}

void add_ctl_command(CLI::App& sim, Subcommands& commands) {
  auto args = std::make_shared<CtlArgs>();
  auto* ctl =
      sim.add_subcommand("ctl", "Control a served rack (`cyanrig sim serve`): power, outages, faults");
  ctl->require_subcommand(1);
  ctl->add_option("--url", args->url, "The served rack's URL (default: $CYANRIG_SIM_URL)")
      ->envname("CYANRIG_SIM_URL")
      ->required();

  auto* power = ctl->add_subcommand("power", "Switch a device's supply: power DEVICE on|off");
  power->add_option("device", args->device, "Device name or ID")->required();
  power->add_option("state", args->power, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  commands.on(power, [args] { return cmd_ctl_power(*args); });

  auto* outage = ctl->add_subcommand("outage",
                                     "outage SEGMENT start MODE [drop|reject], outage SEGMENT stop, or "
                                     "outage SEGMENT status (exit 0 when an "
                                     "outage is in force, 1 when not)");
  outage->add_option("segment", args->segment, "Network segment")->required();
  outage->add_option("what", args->outage_action, "start, stop or status")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "status"}));
  outage->add_option("mode", args->mode, "cloud, internet, dns or link (start only)");
  outage->add_option("action", args->action, "drop (default) or reject (start only)");
  commands.on(outage, [args] { return cmd_ctl_outage(*args); });

  auto* fault =
      ctl->add_subcommand("fault", "Inject faults into the served Particle API; without options, show them");
  fault->add_option("--status", args->status,
                    "Answer the next requests with this HTTP status (401, 403, 429, 500, 503)");
  fault->add_option("--count", args->count, "How many requests get --status (default 1)");
  fault->add_option("--retry-after", args->retry_after, "With 429: the Retry-After header (e.g. 5s)");
  fault->add_flag("--silent-stream", args->silent_stream, "Open event streams stop sending anything");
  fault->add_flag("--drop-connections", args->drop_connections,
                  "Close open event streams, and the next request's connection without an answer");
  fault->add_flag("--clear", args->clear, "Remove every injected fault");
  commands.on(fault, [args] { return cmd_ctl_fault(*args); });

  auto* status =
      ctl->add_subcommand("status", "Devices (power, state, online), segments (outages) and faults");
  commands.on(status, [args] { return cmd_ctl_status(*args); });
}

}  // namespace

void add_sim_commands(CLI::App& app, Subcommands& commands) {
  auto* sim = app.add_subcommand("sim", "The simulated rack in real time, over HTTP and ptys");
  sim->require_subcommand(1);
  add_serve_command(*sim, commands);
  add_ctl_command(*sim, commands);
}

}  // namespace cyanrig::cli
