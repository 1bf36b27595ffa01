#include "sim_rig.hpp"

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <stdexcept>

#include "drivers/all_backends.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::milliseconds;

constexpr Duration kPoll = milliseconds(10);

void parse_devos(Line& line) {
  const auto open = line.text.find('[');
  const auto close = line.text.find("] ", open);
  if (open == std::string::npos || close == std::string::npos) return;
  line.category = line.text.substr(open + 1, close - open - 1);
  const auto colon = line.text.find(": ", close);
  if (colon == std::string::npos) return;
  line.level = line.text.substr(close + 2, colon - close - 2);
  line.message = line.text.substr(colon + 2);
}

template <typename Capability>
std::unique_ptr<Capability> build(const BackendSite& site, BackendContext& context) {
  const auto* factory = all_backends().find<Capability>(site.spec.backend);
  if (factory == nullptr) throw std::logic_error("no sim backend registered");
  return factory->create(site, context);
}

}  // namespace

BackendSpec sim_spec(const std::string& extra_params) {
  const std::string text =
      extra_params.empty() ? "{backend: sim}" : fmt::format("{{backend: sim, {}}}", extra_params);
  return BackendSpec{"sim", YAML::Load(text), SourceLoc{"rack.yaml", 1, 1}};
}

FaultSpec fault(std::string name, double probability, const std::string& params) {
  FaultSpec f;
  f.name = std::move(name);
  f.probability = probability;
  if (!params.empty()) f.params = YAML::Load(params);
  f.loc = {"rack.yaml", 7, 9};
  return f;
}

SimRig::SimRig(std::vector<DeviceSetup> devices, std::uint64_t seed) : clock_(make_virtual_clock()) {
  rack_.name = "test";
  rack_.file = "rack.yaml";
  std::set<std::string> segments;
  int index = 0;
  for (DeviceSetup& setup : devices) {
    RackDevice d;
    d.id = *DeviceId::parse(fmt::format("e00fce68{:016x}", 0x1000 + index++));
    d.name = setup.name;
    d.platform = find_platform(setup.platform);
    d.segment = setup.segment;
    d.power = sim_spec();
    d.serial = sim_spec();
    if (setup.led_params) d.led = sim_spec(*setup.led_params);
    d.faults = std::move(setup.faults);
    d.firmware = setup.firmware;
    rack_.devices.push_back(std::move(d));
    segments.insert(setup.segment);
  }
  for (const std::string& s : segments) rack_.segments.push_back(Segment{.name = s, .outages = {sim_spec()}});
  rack_.cloud = sim_spec();

  context_ = std::make_unique<BackendContext>(*clock_, rack_, seed);
  for (const Segment& s : rack_.segments)
    outage_[s.name] = build<OutageSwitch>({s.outages.front(), nullptr, &s}, *context_);
  cloud_ = build<Cloud>({*rack_.cloud}, *context_);
  cloud_->subscribe([this](const CloudEvent& e) { events_.push_back({now(), e}); });
  world_ = SimWorld::of(*context_);
  for (const RackDevice& d : rack_.devices) {
    power_[d.name] = build<PowerSwitch>({*d.power, &d}, *context_);
    serial_[d.name] = build<SerialPort>({*d.serial, &d}, *context_);
    if (d.led) sensor_[d.name] = build<ColourSensor>({*d.led, &d}, *context_);
    const std::string name = d.name;
    serial_[d.name]->open({.on_bytes = [this, name](Instant t, std::string_view b) { on_bytes(name, t, b); },
                           .on_link =
                               [this, name](bool attached, const std::string&) {
                                 links_.push_back({now(), name, attached});
                                 partial_.erase(name);
                               }});
    world_->find_device(name)->led().watch([this, name](Instant t, std::string_view led, const LedSignal& s) {
      leds_.push_back({t, name, std::string(led), s});
    });
  }
}

SimRig::~SimRig() = default;

void SimRig::on_bytes(const std::string& device, Instant arrival, std::string_view bytes) {
  transcript_ += fmt::format("{}@{}:", device, arrival.time_since_epoch().count());
  transcript_.append(bytes);
  Partial& p = partial_[device];
  if (p.text.empty()) p.first_byte = arrival;
  p.text.append(bytes);
  for (auto end = p.text.find('\n'); end != std::string::npos; end = p.text.find('\n')) {
    Line line{p.first_byte, device, p.text.substr(0, end), {}, {}, {}};
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    parse_devos(line);
    lines_.push_back(std::move(line));
    p.text.erase(0, end + 1);
    p.first_byte = arrival;
  }
}

void SimRig::power(const std::string& device, PowerState state) {
  power_.at(device)->set(state, [](Status) {});
}

void SimRig::outage(const std::string& segment, OutageMode mode, OutageAction action) {
  outage_.at(segment)->start({mode, action}, [](Status) {});
}

void SimRig::end_outage(const std::string& segment) {
  outage_.at(segment)->stop([](Status) {});
}

void SimRig::advance(Duration d) {
  Timer stop = clock_->after(d, [this] { clock_->stop(); });
  clock_->run();
}

bool SimRig::run_until(const std::function<bool()>& done, Duration limit) {
  if (done()) return true;
  const Instant deadline = now() + limit;
  bool held = false;
  Timer poll;
  std::function<void()> check = [&] {
    if (done()) {
      held = true;
      clock_->stop();
    } else if (now() >= deadline) {
      clock_->stop();
    } else {
      poll = clock_->after(kPoll, check);
    }
  };
  poll = clock_->after(kPoll, check);
  clock_->run();
  return held;
}

std::optional<Line> SimRig::wait_for_line(const std::string& device, std::string_view message,
                                          Duration limit) {
  const Instant since = now();
  run_until([&] { return find_line(device, message, since).has_value(); }, limit);
  return find_line(device, message, since);
}

TimedReply SimRig::wait_reply(const std::function<void(Cloud::Reply)>& request) {
  std::optional<TimedReply> got;
  request([&](CloudReply r) { got = TimedReply{now(), std::move(r)}; });
  if (!run_until([&] { return got.has_value(); }, std::chrono::minutes(5))) {
    throw std::logic_error("the simulated cloud never replied");
  }
  return *got;
}

TimedReply SimRig::call(const std::string& device, const std::string& function, const std::string& arg) {
  return wait_reply([&](Cloud::Reply r) { cloud_->call_function(id(device), function, arg, std::move(r)); });
}

TimedReply SimRig::read(const std::string& device, const std::string& variable) {
  return wait_reply([&](Cloud::Reply r) { cloud_->read_variable(id(device), variable, std::move(r)); });
}

TimedReply SimRig::flash(const std::string& device, const std::string& file) {
  return wait_reply([&](Cloud::Reply r) { cloud_->flash(id(device), file, std::move(r)); });
}

TimedReply SimRig::info(const std::string& device) {
  return wait_reply([&](Cloud::Reply r) { cloud_->device_info(id(device), std::move(r)); });
}

std::vector<Line> SimRig::lines_of(const std::string& device, Instant since) const {
  std::vector<Line> out;
  for (const Line& l : lines_) {
    if (l.device == device && l.t >= since) out.push_back(l);
  }
  return out;
}

std::optional<Line> SimRig::find_line(const std::string& device, std::string_view message,
                                      Instant since) const {
  for (const Line& l : lines_) {
    if (l.device == device && l.t >= since && l.message.find(message) != std::string::npos) return l;
  }
  return std::nullopt;
}

std::vector<Instant> SimRig::times_of(const std::string& device, std::string_view message,
                                      Instant since) const {
  std::vector<Instant> out;
  for (const Line& l : lines_) {
    if (l.device == device && l.t >= since && l.message.find(message) != std::string::npos)
      out.push_back(l.t);
  }
  return out;
}

std::vector<std::string> SimRig::led_names(const std::string& device, Instant since) const {
  std::vector<std::string> out;
  for (const LedChange& c : leds_) {
    if (c.device == device && c.t >= since) out.push_back(c.name);
  }
  return out;
}

std::optional<TimedEvent> SimRig::find_event(std::string_view name, std::string_view data,
                                             Instant since) const {
  for (const TimedEvent& e : events_) {
    if (e.t >= since && e.event.name == name && e.event.data == data) return e;
  }
  return std::nullopt;
}

}  // namespace cyanrig::sim::testing
