#include "outage_rigs.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <system_error>

#include "drivers/all_backends.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;

constexpr Duration kAnswerLimit = 15s;  // far above any answer; reached only when something is broken

const BackendFactory<OutageSwitch>& factory_for(const BackendSpec& spec) {
  const auto* factory = all_backends().find<OutageSwitch>(spec.backend);
  if (factory == nullptr) throw std::logic_error("no outage backend " + spec.backend);
  return *factory;
}

}  // namespace

Rack lab_rack(const std::string& outage_yaml, const std::vector<LabDevice>& devices) {
  Rack rack;
  rack.name = "outage-test";
  rack.file = "rack.yaml";
  std::set<std::string> names{"lab", "other"};
  for (const LabDevice& d : devices) names.insert(d.segment);
  for (const std::string& name : names) {
    Segment segment;
    segment.name = name;
    segment.outages.push_back(backend_spec(outage_yaml));
    rack.segments.push_back(segment);
  }
  int n = 0;
  for (const LabDevice& d : devices) {
    RackDevice device;
    device.name = d.name;
    device.id = *DeviceId::parse(fmt::format("e00fce68aabbccddeeff{:04x}", ++n));
    device.platform = find_platform("argon");
    device.segment = d.segment;
    device.ip = d.ip;
    device.mac = d.mac;
    rack.devices.push_back(device);
  }
  return rack;
}

std::vector<std::string> validation_errors(const std::string& yaml) {
  const Rack rack = lab_rack(yaml, {});
  const BackendSpec& spec = rack.segments[0].outages[0];
  Diagnostics diags;
  factory_for(spec).validate({spec, nullptr, &rack.segments[0]}, diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

std::vector<OutageMode> modes_of(const std::string& yaml) {
  const Rack rack = lab_rack(yaml, {});
  const BackendSpec& spec = rack.segments[0].outages[0];
  return factory_for(spec).modes({spec, nullptr, &rack.segments[0]});
}

OutageRig::OutageRig(const std::string& outage_yaml, std::vector<LabDevice> devices)
    : clock_(make_steady_clock()), rack_(std::make_unique<Rack>(lab_rack(outage_yaml, devices))) {
  context_ = std::make_unique<BackendContext>(*clock_, *rack_, 1);
  for (const Segment& segment : rack_->segments) {
    const BackendSpec& spec = segment.outages[0];
    auto outage = factory_for(spec).create({spec, nullptr, &segment}, *context_);
    outage->watch([this, name = segment.name](const OutageEffect& e) { effects_[name].push_back(e); });
    outages_[segment.name] = std::move(outage);
  }
}

OutageRig::~OutageRig() {
  outages_.clear();  // before the context and clock they use
}

OutageSwitch& OutageRig::outage(const std::string& segment) {
  return *outages_.at(segment);
}

std::string OutageRig::request(const std::string& what, const std::function<void(Done)>& ask) {
  std::optional<Status> answer;
  ask([&](Status s) { answer = std::move(s); });
  EXPECT_TRUE(run_until(
      *clock_, [&] { return answer.has_value(); }, kAnswerLimit))
      << what << ": no answer";
  return answer && !answer->ok() ? answer->message() : "";
}

std::string OutageRig::start(const OutageSpec& spec, const std::string& segment) {
  return request("start", [&](Done done) { outage(segment).start(spec, std::move(done)); });
}

std::string OutageRig::stop(const std::string& segment) {
  return request("stop", [&](Done done) { outage(segment).stop(std::move(done)); });
}

std::string OutageRig::hold(const std::string& segment) {
  return request("hold", [&](Done done) { outage(segment).hold(std::move(done)); });
}

std::string OutageRig::sweep(const std::string& segment) {
  std::optional<std::string> answer;
  outage(segment).sweep([&](Status fault, std::optional<std::string> removed) {
    answer = !fault.ok() ? "fault: " + fault.message() : removed.value_or("");
  });
  EXPECT_TRUE(run_until(
      *clock_, [&] { return answer.has_value(); }, kAnswerLimit))
      << "sweep: no answer";
  return answer.value_or("");
}

std::map<std::string, std::string> OutageRig::sweep_all() {
  std::map<std::string, std::string> answers;
  for (auto& [segment, outage] : outages_) {
    outage->sweep([&answers, name = segment](Status fault, std::optional<std::string> removed) {
      answers[name] = !fault.ok() ? "fault: " + fault.message() : removed.value_or("");
    });
  }
  EXPECT_TRUE(run_until(
      *clock_, [&] { return answers.size() == outages_.size(); }, kAnswerLimit))
      << "sweep: not every segment answered";
  return answers;
}

OutageStatus OutageRig::inspect(const std::string& segment) {
  std::optional<OutageStatus> answer;
  outage(segment).inspect([&](const OutageStatus& s) { answer = s; });
  EXPECT_TRUE(run_until(
      *clock_, [&] { return answer.has_value(); }, kAnswerLimit))
      << "inspect: no answer";
  return answer.value_or(OutageStatus{});
}

std::optional<OutageEffect> OutageRig::wait_for_effect(const std::string& device, Duration limit,
                                                       const std::string& segment) {
  const auto find = [&]() -> std::optional<OutageEffect> {
    for (const OutageEffect& e : effects_[segment]) {
      if (e.device == device) return e;
    }
    return std::nullopt;
  };
  run_until(
      *clock_, [&] { return find().has_value(); }, limit);
  return find();
}

}  // namespace cyanrig::outage_testing
