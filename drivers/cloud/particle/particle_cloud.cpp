#include "drivers/cloud/particle/particle_cloud.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "drivers/cloud/particle/api_errors.hpp"
#include "drivers/cloud/particle/event_stream.hpp"
#include "drivers/cloud/particle/http_client.hpp"
#include "drivers/cloud/particle/multipart.hpp"
#include "drivers/cloud/particle/retry_policy.hpp"
#include "rig/clock.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

namespace http = boost::beast::http;

spdlog::logger& cloud_log() {
  return component_log("particle");
}

CloudReply failure(CloudError error, std::string message) {
  CloudReply reply;
  reply.error = error;
  reply.http_status = 0;
  reply.message = std::move(message);
  reply.body = nullptr;
  return reply;
}

std::optional<std::string> read_binary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

std::string device_path(const DeviceId& id) {
  return "/v1/devices/" + id.str();
}

class ParticleCloud final : public Cloud {
 public:
  ParticleCloud(Clock& clock, ParticleSettings settings, AccessToken token, std::set<DeviceId> devices,
                std::uint64_t seed)
      : clock_(clock),
        settings_(std::move(settings)),
        token_(std::move(token)),
        http_(clock, settings_.url, settings_.ca_file),
        events_(
            clock, http_, token_, std::move(devices),
            {.open_timeout = settings_.request_timeout, .idle_timeout = settings_.stream_idle_timeout}, seed,
            [this](const CloudEvent& e) { deliver(e); },
            [this](const CloudStreamState& state) { stream_changed(state); }),
        seed_(seed) {}
  ParticleCloud(const ParticleCloud&) = delete;
  ParticleCloud& operator=(const ParticleCloud&) = delete;

  void device_info(const DeviceId& id, Reply reply) override {
    request(RequestKind::read, get(device_path(id)), std::move(reply));
  }

  void call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                     Reply reply) override {
    HttpRequest post = get(device_path(id) + "/" + encode_path_segment(function));
    post.method = http::verb::post;
    post.content_type = "application/json";
    // The argument comes from a scenario file: bytes that are not UTF-8 go as U+FFFD, not as an exception.
    post.body = nlohmann::json{{"arg", arg}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    request(RequestKind::action, std::move(post), std::move(reply));
  }

  void read_variable(const DeviceId& id, const std::string& variable, Reply reply) override {
    request(RequestKind::read, get(device_path(id) + "/" + encode_path_segment(variable)), std::move(reply));
  }

  void flash(const DeviceId& id, const std::filesystem::path& firmware, Reply reply) override {
    const auto binary = read_binary(firmware);
    if (!binary) {
      // The scenario names a file that is not there: its author's mistake, not the cloud's.
      answer_soon(std::move(reply), failure(CloudError::bad_request,
                                            fmt::format("cannot read firmware file {}", firmware.string())));
      return;
    }
    auto form = multipart_file("file", firmware.filename().string(), *binary, seed_ + ++uploads_);
    HttpRequest put = get(device_path(id));
    put.method = http::verb::put;
    put.content_type = std::move(form.content_type);
    put.body = std::move(form.body);
    request(RequestKind::action, std::move(put), std::move(reply));
  }

  void subscribe(CloudListener listener) override {
    if (listener.on_stream && stream_state_) listener.on_stream(*stream_state_);
    listeners_.push_back(std::move(listener));
    events_.start();  // the one stream; later subscribers share it
  }

  std::string describe() const override {
    return fmt::format("Particle Cloud API at {} (token from {})", settings_.url.text(), token_.source());
  }

 private:
  struct Operation {
    RequestKind kind = RequestKind::read;
    HttpRequest request;
    Instant deadline;
    Reply reply;
    int attempts = 0;
    Timer wait;  // before the next attempt, or before an answer known without asking
  };

  HttpRequest get(const std::string& path) const {
    HttpRequest out;
    out.target = settings_.url.target(path);
    out.authorization = token_.authorization();
    return out;
  }

  void request(RequestKind kind, HttpRequest http_request, Reply reply) {
    const std::uint64_t id = ++next_operation_;
    operations_.emplace(id, Operation{.kind = kind,
                                      .request = std::move(http_request),
                                      .deadline = clock_.now() + settings_.request_timeout,
                                      .reply = std::move(reply)});
    attempt(id);
  }

  // Replies always come on the loop, never inside the call that asked.
  void answer_soon(Reply reply, CloudReply result) {
    const std::uint64_t id = ++next_operation_;
    Operation& op = operations_.emplace(id, Operation{.reply = std::move(reply)}).first->second;
    op.wait = clock_.after(Duration::zero(), [this, id, result] { finish(id, result); });
  }

  void attempt(std::uint64_t id) {
    Operation& op = operations_.at(id);
    ++op.attempts;
    http_.send(op.request, op.deadline, [this, id](HttpAnswer answer) { answered(id, std::move(answer)); });
  }

  void answered(std::uint64_t id, HttpAnswer answer) {
    Operation& op = operations_.at(id);
    AttemptResult result = to_result(answer);
    const Duration left = op.deadline - clock_.now();
    if (const auto wait = retry_wait(op.kind, result, op.attempts, left)) {
      cloud_log().warn("{} {}: {}; trying again in {}", std::string(http::to_string(op.request.method)),
                       op.request.target, result.reply.message, format_duration(*wait));
      op.wait = clock_.after(*wait, [this, id] { attempt(id); });
      return;
    }
    if (result.reply.error == CloudError::rate_limited && result.retry_after) {
      result.reply.message +=
          fmt::format(" (asked to wait {}, past this request's {} deadline)",
                      format_duration(*result.retry_after), format_duration(settings_.request_timeout));
    }
    finish(id, std::move(result.reply));
  }

  AttemptResult to_result(const HttpAnswer& answer) const {
    AttemptResult result;
    result.request_sent = answer.request_sent;
    if (answer.status == 0 || !answer.failure.empty()) {
      // No complete answer: the cloud (or the path to it) is in trouble, not the device. The
      // device's own silence is the cloud's 408, which is an answer.
      const std::string why =
          answer.deadline_passed
              ? fmt::format("no answer from the Particle cloud at {} within {}", settings_.url.text(),
                            format_duration(settings_.request_timeout))
              : answer.failure;
      result.reply = failure(CloudError::connection, token_.redact(why));
      return result;
    }
    result.reply = map_api_reply(answer.status, token_.redact(answer.body));
    result.reply.message = token_.redact(result.reply.message);
    if (answer.retry_after)
      result.retry_after = parse_retry_after(*answer.retry_after, std::chrono::system_clock::now());
    return result;
  }

  void finish(std::uint64_t id, CloudReply result) {
    const auto it = operations_.find(id);
    Reply reply = std::move(it->second.reply);
    operations_.erase(it);
    if (!result.ok())
      cloud_log().debug("cloud request failed: HTTP {} {}", result.http_status, result.message);
    reply(std::move(result));
  }

  void stream_changed(const CloudStreamState& state) {
    stream_state_ = state;
    for (const auto& listener : listeners_) {
      if (listener.on_stream) listener.on_stream(state);
    }
  }

  void deliver(const CloudEvent& event) {
    for (const auto& listener : listeners_) listener.on_event(event);
  }

  Clock& clock_;
  ParticleSettings settings_;
  AccessToken token_;
  HttpClient http_;
  ParticleEventStream events_;
  std::uint64_t seed_;
  std::uint64_t uploads_ = 0;
  std::uint64_t next_operation_ = 0;
  std::map<std::uint64_t, Operation> operations_;
  std::vector<CloudListener> listeners_;
  std::optional<CloudStreamState> stream_state_;
};

}  // namespace

std::unique_ptr<Cloud> make_particle_cloud(Clock& clock, ParticleSettings settings, AccessToken token,
                                           std::set<DeviceId> devices, std::uint64_t seed) {
  return std::make_unique<ParticleCloud>(clock, std::move(settings), std::move(token), std::move(devices),
                                         seed);
}

BackendFactory<Cloud> particle_cloud_backend() {
  return {.virtual_time = false,
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { read_particle_settings(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<Cloud> {
            Diagnostics diags;
            auto settings = read_particle_settings(site.spec, diags);
            if (!settings) throw std::runtime_error(diags.items().front().to_string());
            AccessToken token = AccessToken::load(settings->token_file);
            std::set<DeviceId> devices;
            for (const RackDevice& d : ctx.rack().devices) devices.insert(d.id);
            return make_particle_cloud(ctx.clock(), std::move(*settings), std::move(token),
                                       std::move(devices), ctx.seed());
          }};
}

}  // namespace cyanrig
