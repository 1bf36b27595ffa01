// HTTP requests as `cyanrig sim serve` reads them (drivers/sim/serve): raw bytes through Beast's
// request parser with the server's body limit, then the pieces http_message reads (target, query,
// form, multipart upload) and the routes that answer them: the control API (/sim/) and the Particle
// API (/v1/) over a fresh simulated world, run for the simulated half minute a slow answer can take.
// Promises: every /sim/ and /v1/ request is answered with an HTTP status, or opens a stream.
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <string>

#include "drivers/sim/serve/api_server.hpp"
#include "drivers/sim/serve/control_api.hpp"
#include "drivers/sim/serve/http_message.hpp"
#include "drivers/sim/serve/particle_api.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/clock.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace cyanrig;
using namespace cyanrig::sim;

// api_server.cpp's limit: a firmware upload fits.
constexpr std::uint64_t kMaxRequestBody = std::uint64_t{16} * 1024 * 1024;
constexpr auto kLongestAnswer = std::chrono::seconds(31);

std::optional<HttpRequest> parse_request(std::string_view bytes) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(kMaxRequestBody);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec || !parser.is_done()) return std::nullopt;
  return parser.release();
}

const Rack& rack() {
  static const Rack kRack = builtin_sim_rack();
  return kRack;
}

void answer(const HttpRequest& request) {
  const std::string_view target = text(request.target());
  const auto clock = make_virtual_clock();
  SimWorld world(*clock, rack(), 1);
  if (target.starts_with("/sim/")) {
    ServedFaults faults;
    ControlApi control(world, ControlApi::FaultAccess{.inject = [&](const ServedFaults& f) { faults = f; },
                                                      .current = [&] { return faults; }});
    const HttpResponse response = control.handle(request);
    fuzz::check(response.result_int() >= 200 && response.result_int() < 600, "an HTTP status");
    return;
  }
  if (!target.starts_with("/v1/")) return;
  ParticleApi particle(world, "token");
  bool answered = false;
  particle.handle(
      request,
      [&](const HttpResponse& response) {
        fuzz::check(!answered, "one answer per request");
        fuzz::check(response.result_int() >= 200 && response.result_int() < 600, "an HTTP status");
        answered = true;
      },
      [&](const EventFilter&) { answered = true; });
  const Timer stop = clock->after(kLongestAnswer, [&] { clock->stop(); });
  clock->run();
  fuzz::check(answered, "every request is answered within the simulated half minute");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto request = parse_request(bytes);
  if (!request) return 0;
  const RequestTarget target = parse_target(text(request->target()));
  for (const std::string& segment : target.path) fuzz::check(!segment.empty(), "no empty path segment");
  parse_form(request->body());
  multipart_file(text((*request)[http::field::content_type]), request->body(), "file");
  answer(*request);
  return 0;
}
