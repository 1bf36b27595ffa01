#include "drivers/sim/serve/particle_api.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

namespace fs = std::filesystem;

// §6: ttl is a string in old captures and a number in new ones; the server sends the new shape.
constexpr int kEventTtl = 60;

HttpResponse answer_of(const CloudReply& reply) {
  return json_answer(reply.http_status, reply.body);
}

Cloud::Reply replying(const Respond& respond) {
  return [respond](CloudReply reply) { respond(answer_of(reply)); };
}

HttpResponse invalid_token() {
  return json_answer(
      http::status::unauthorized,
      {{"error", "invalid_token"}, {"error_description", "The access token provided is invalid."}});
}

HttpResponse error_answer(http::status status, const std::string& message) {
  return json_answer(status, {{"ok", false}, {"error", message}});
}

// The cloud's own words for an unknown device (drivers/sim/cloud_model.cpp).
HttpResponse unknown_device() {
  return error_answer(http::status::not_found, "Device not found.");
}

// "a/b/c" from path segments [from, end): event names contain slashes (spark/status).
std::string joined(const std::vector<std::string>& path, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < path.size(); ++i) out += (out.empty() ? "" : "/") + path[i];
  return out;
}

bool is_json(const HttpRequest& request) {
  return text(request[http::field::content_type]).starts_with("application/json");
}

// POST /v1/devices/{id}/{function}: `arg=...` as a form or {"arg": ...} as JSON.
std::optional<std::string> function_argument(const HttpRequest& request) {
  if (!is_json(request)) {
    const auto fields = parse_form(request.body());
    const auto it = fields.find("arg");
    return it == fields.end() ? std::string() : it->second;
  }
  const nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  if (!body.contains("arg")) return std::string();
  return body["arg"].is_string() ? body["arg"].get<std::string>() : body["arg"].dump();
}

// An uploaded firmware binary on disk for as long as the simulated cloud needs it. The sim cloud
// takes the firmware version from the file name, so the upload keeps the name the client gave it.
class UploadedFirmware {
 public:
  static std::shared_ptr<UploadedFirmware> write(const UploadedFile& upload) {
    std::string dir_template = (fs::temp_directory_path() / "cyanrig-ota-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) return nullptr;
    std::string name = fs::path(upload.filename).filename().string();
    if (name.empty() || name == "." || name == "..") name = "firmware.bin";
    auto firmware = std::shared_ptr<UploadedFirmware>(new UploadedFirmware(fs::path(dir_template), name));
    std::ofstream out(firmware->path(), std::ios::binary);
    out.write(upload.content.data(), static_cast<std::streamsize>(upload.content.size()));
    return out ? firmware : nullptr;
  }
  ~UploadedFirmware() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  UploadedFirmware(const UploadedFirmware&) = delete;
  UploadedFirmware& operator=(const UploadedFirmware&) = delete;
  fs::path path() const { return dir_ / name_; }

 private:
  UploadedFirmware(fs::path dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}
  fs::path dir_;
  std::string name_;
};

}  // namespace

bool EventFilter::matches(const CloudEvent& event) const {
  if (device && event.device != device) return false;
  return event.name.starts_with(prefix);
}

std::string event_stream_message(const CloudEvent& event) {
  // Particle's field order, for anyone reading the stream by eye.
  const nlohmann::ordered_json data = {{"data", event.data},
                                       {"ttl", kEventTtl},
                                       {"published_at", event.published_at},
                                       {"coreid", event.device ? event.device->str() : "particle-internal"}};
  return fmt::format("event: {}\ndata: {}\n\n", event.name,
                     data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool ParticleApi::authorized(const HttpRequest& request, const RequestTarget& target) const {
  if (token_.empty()) return true;
  const std::string_view header = text(request[http::field::authorization]);
  if (header.starts_with("Bearer ") && header.substr(7) == token_) return true;
  // Particle also takes ?access_token=, which browsers' EventSource needs.
  const auto query = target.query.find("access_token");
  return query != target.query.end() && query->second == token_;
}

std::optional<DeviceId> ParticleApi::device_named(const std::string& name_or_id) {
  if (SimDevice* device = world_.find_device(name_or_id)) return device->rack_device().id;
  return std::nullopt;
}

void ParticleApi::handle(const HttpRequest& request, const Respond& respond, const OpenStream& open_stream) {
  const RequestTarget target = parse_target(text(request.target()));
  if (!authorized(request, target)) return respond(invalid_token());
  const auto& path = target.path;
  if (path.size() < 2 || path[0] != "v1" || path[1] != "devices") {
    return respond(error_answer(http::status::not_found, "Not found"));
  }
  if (path.size() == 2 && request.method() == http::verb::get) return list_devices(respond);
  if (path.size() >= 3 && path[2] == "events" && request.method() == http::verb::get) {
    return open_stream(EventFilter{.device = std::nullopt, .prefix = joined(path, 3)});
  }
  if (path.size() == 2) return respond(error_answer(http::status::method_not_allowed, "Method not allowed"));
  const auto id = device_named(path[2]);
  if (!id) return respond(unknown_device());
  device_route(request, *id, target, respond, open_stream);
}

void ParticleApi::device_route(const HttpRequest& request, const DeviceId& id, const RequestTarget& target,
                               const Respond& respond, const OpenStream& open_stream) {
  const auto& path = target.path;
  const http::verb method = request.method();
  SimParticleCloud& cloud = world_.cloud();
  if (path.size() == 3 && method == http::verb::get) return cloud.device_info(id, replying(respond));
  if (path.size() == 3 && method == http::verb::put) return flash(request, id, respond);
  if (path.size() >= 4 && path[3] == "events" && method == http::verb::get) {
    return open_stream(EventFilter{.device = id, .prefix = joined(path, 4)});
  }
  if (path.size() == 4 && method == http::verb::get)
    return cloud.read_variable(id, path[3], replying(respond));
  if (path.size() == 4 && method == http::verb::post) {
    const auto arg = function_argument(request);
    if (!arg) return respond(error_answer(http::status::bad_request, "Invalid JSON body"));
    return cloud.call_function(id, path[3], *arg, replying(respond));
  }
  respond(error_answer(http::status::not_found, "Not found"));
}

void ParticleApi::list_devices(const Respond& respond) {
  // GET /v1/devices: every device's info, in rack order, once the cloud has answered for all of them.
  struct Gathering {
    std::vector<nlohmann::json> devices;
    std::size_t left = 0;
  };
  const auto& devices = world_.devices();
  if (devices.empty()) return respond(json_answer(http::status::ok, nlohmann::json::array()));
  auto gathering = std::make_shared<Gathering>();
  gathering->devices.resize(devices.size());
  gathering->left = devices.size();
  for (std::size_t i = 0; i < devices.size(); ++i) {
    world_.cloud().device_info(devices[i]->rack_device().id, [gathering, i, respond](CloudReply reply) {
      gathering->devices[i] = std::move(reply.body);
      if (--gathering->left == 0) respond(json_answer(http::status::ok, gathering->devices));
    });
  }
}

void ParticleApi::flash(const HttpRequest& request, const DeviceId& id, const Respond& respond) {
  const auto upload = multipart_file(text(request[http::field::content_type]), request.body(), "file");
  if (!upload) {
    return respond(error_answer(http::status::bad_request,
                                "Nothing to flash: send the binary as multipart/form-data field `file`"));
  }
  auto firmware = UploadedFirmware::write(*upload);
  if (!firmware) return respond(error_answer(http::status::internal_server_error, "Cannot store the upload"));
  const fs::path path = firmware->path();
  // The file lives until the cloud has answered: that is when it has read what it needs.
  world_.cloud().flash(
      id, path, [respond, firmware = std::move(firmware)](CloudReply reply) { respond(answer_of(reply)); });
}

}  // namespace cyanrig::sim
