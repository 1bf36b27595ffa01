#include "rig/scenario/scenario_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "rig/rack/rack_file.hpp"

using namespace cyanrig;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// Parses `text` as scenario file "s.yaml" and checks it against the built-in rack.
std::vector<std::string> problems(const std::string& text) {
  Diagnostics diags;
  const Rack rack = builtin_sim_rack();
  const auto scenario = parse_scenario(text, "s.yaml", diags, &rack);
  if (scenario) check_scenario_against_rack(*scenario, rack, diags);
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(d.to_string());
  return out;
}

const std::string kHeader = "scenario: t\ndevices: all\n";

}  // namespace

TEST(ScenarioFile, ShippedScenariosValidateAgainstTheBuiltInRack) {
  std::size_t shipped = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CYANRIG_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    ++shipped;
    const std::string name = entry.path().stem().string();
    const std::string path = entry.path().string();
    Diagnostics diags;
    const auto s = load_scenario_file(path, diags);
    ASSERT_TRUE(s) << name << ": " << (diags.empty() ? "" : diags.items().front().to_string());
    check_scenario_against_rack(*s, builtin_sim_rack(), diags);
    EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();
    EXPECT_EQ(s->name, name);
  }
  EXPECT_GE(shipped, 7U) << "the shipped scenarios were not found";
}

TEST(ScenarioFile, TheLongestRunTakesEveryWaitToItsLimitForTheDevicesPlatform) {
  Diagnostics diags;
  const auto canary = load_scenario_file(std::string(CYANRIG_SOURCE_DIR) + "/scenarios/canary.yaml", diags);
  ASSERT_TRUE(canary);
  const Rack rack = builtin_sim_rack();
  // 5 s off, three connects (5m; cellular 10m) and three answers (45 s).
  EXPECT_EQ(canary->longest_on(*rack.find_device("argon-1")), 5s + 3 * 5min + 3 * 45s);
  EXPECT_EQ(canary->longest_on(*rack.find_device("boron-1")), 5s + 3 * 10min + 3 * 45s);
  Scenario repeated = *canary;
  repeated.repeat = 3;
  EXPECT_EQ(repeated.longest_on(*rack.find_device("argon-1")), 3 * (5s + 3 * 5min + 3 * 45s));
}

TEST(ScenarioFile, ReadsEveryStepKind) {
  Diagnostics diags;
  const auto s = parse_scenario(kHeader + R"(repeat: 3
limits: {reconnect: 3m}
overrides: {cellular: {reconnect: 20m}, photon: {reconnect: 1m}}
steps:
  - power: cycle
    off_for: 5s
  - outage: start
    mode: internet
    action: reject
    segment: lab-wifi
  - wait: 90s
  - outage: stop
  - mark: outage_end
  - expect: {led: breathing_cyan, within: reconnect, from: outage_end}
  - expect: {serial: "Cloud connected", within: 2m, from: outage_end}
  - expect: {event: cloud_connected, within: 2m, from: outage_end}
  - expect: {cloud: online, within: 2m, from: outage_end}
  - expect: {cloud_event: spark/flash/status, data: success, within: 2m, from: outage_end}
  - expect: {call: ping, arg: x, returns: 1, within: 30s, from: step_start}
  - expect: {variable: version, equals: 1.0.0, within: 30s, from: step_start}
  - sleep: {mode: hibernate, for: 10m, within: 30s}
  - expect: {awake: true, within: 11m, from: step_start}
measure:
  - name: reconnect_time
    from: outage_end
    to: {led: breathing_cyan}
    unit: s
    pass: {max: reconnect, p75: 60s}
)",
                                "s.yaml", diags);
  ASSERT_TRUE(s) << diags.items().front().to_string();
  EXPECT_EQ(s->repeat, 3);
  ASSERT_EQ(s->steps.size(), 14U);
  EXPECT_EQ(s->steps[0].kind(), "power");
  EXPECT_EQ(std::get<PowerStep>(s->steps[0].action).off_for, Duration(5s));
  const auto& outage = std::get<OutageStep>(s->steps[1].action);
  EXPECT_EQ(outage.spec.mode, OutageMode::internet);
  EXPECT_EQ(outage.spec.action, OutageAction::reject);
  EXPECT_EQ(outage.segments, std::vector<std::string>{"lab-wifi"});
  EXPECT_TRUE(s->steps[1].shared());
  EXPECT_FALSE(s->steps[2].shared());
  EXPECT_EQ(s->steps[5].loc.line, 16);
  EXPECT_EQ(s->steps[5].label(), "steps[5] expect LED breathing_cyan");
  ASSERT_EQ(s->measurements.size(), 1U);
  EXPECT_EQ(s->measurements[0].pass.size(), 2U);

  // Per-platform limits: platform beats radio beats the default.
  const Rack rack = builtin_sim_rack();
  const auto& within = std::get<ExpectStep>(s->steps[5].action).within;
  EXPECT_EQ(s->resolve(within, *rack.find_device("argon-1")), Duration(3min));
  EXPECT_EQ(s->resolve(within, *rack.find_device("boron-1")), Duration(20min));
  EXPECT_EQ(s->resolve(within, *rack.find_device("photon-1")), Duration(1min));
}

TEST(ScenarioFile, UnknownStepIsReportedAtItsPositionWithASuggestion) {
  const auto p = problems(kHeader + "steps:\n  - wiat: 5s\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_THAT(p[0], HasSubstr("s.yaml:4:"));
  EXPECT_THAT(p[0], HasSubstr("unknown step 'wiat'"));
  EXPECT_THAT(p[0], HasSubstr("did you mean 'wait'"));
}

TEST(ScenarioFile, AnEmptyBlankOrCommentOnlyFileIsReportedAtItsStart) {
  for (const std::string text : {"", "\n  \n\t\n", "# only a comment\n\n  # and another\n"}) {
    EXPECT_THAT(problems(text),
                ElementsAre("s.yaml:1:1: scenario file must be a mapping, found an empty file "
                            "(nothing but blank lines and comments)"))
        << text;
  }
}

TEST(ScenarioFile, NestingDeeperThanTheYamlReaderAllowsSaysSoAtItsPosition) {
  const auto p = problems(kHeader + "steps: " + std::string(600, '[') + std::string(600, ']') + "\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_THAT(p[0], HasSubstr("s.yaml:3:"));
  EXPECT_THAT(p[0], HasSubstr("nested 500 levels deep here, more than the YAML reader allows"));
  EXPECT_THAT(p[0], Not(HasSubstr("bad file")));
}

TEST(ScenarioFile, UnknownFieldIsReportedAtTheKey) {
  const auto p =
      problems(kHeader + "steps:\n  - expect: {led: off, within: 5s, from: repeat_start, timeout: 3s}\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_EQ(p[0], "s.yaml:4:56: unknown field 'timeout' in expect");
}

TEST(ScenarioFile, BadDurationSaysWhatIsWrong) {
  const auto p = problems(kHeader + "steps:\n  - wait: 10 mins\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_THAT(p[0], HasSubstr("s.yaml:4:11:"));
  EXPECT_THAT(p[0], HasSubstr("'10 mins'"));
}

TEST(ScenarioFile, UnknownLedStateListsTheStates) {
  const auto p =
      problems(kHeader + "steps:\n  - expect: {led: breathing_cyen, within: 5s, from: repeat_start}\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_THAT(p[0],
              HasSubstr("s.yaml:4:19: unknown LED state 'breathing_cyen' (did you mean 'breathing_cyan'?)"));
}

TEST(ScenarioFile, SelectorMatchingNoDeviceIsAnError) {
  const auto p = problems("scenario: t\ndevices: {platform: electron}\nsteps:\n  - wait: 1s\n");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_THAT(p[0], HasSubstr("s.yaml:2:10: devices: {platform: electron} matches no device"));
}

TEST(ScenarioFile, DeadlineWithoutReferenceMarkIsAnError) {
  const auto missing = problems(kHeader + "steps:\n  - expect: {led: breathing_cyan, within: 60s}\n");
  ASSERT_EQ(missing.size(), 1U);
  EXPECT_THAT(missing[0], HasSubstr("s.yaml:4:"));
  EXPECT_THAT(missing[0], HasSubstr("no reference mark"));

  const auto unknown =
      problems(kHeader + "steps:\n  - expect: {led: breathing_cyan, within: 60s, from: outage_end}\n");
  ASSERT_EQ(unknown.size(), 1U);
  EXPECT_THAT(unknown[0], HasSubstr("mark 'outage_end', which no step sets"));

  const auto later = problems(kHeader +
                              "steps:\n  - expect: {led: breathing_cyan, within: 60s, from: outage_end}\n"
                              "  - mark: outage_end\n");
  ASSERT_EQ(later.size(), 1U);
  EXPECT_THAT(later[0], HasSubstr("is only set by a later step"));
}

TEST(ScenarioFile, ReportsEveryProblemAtOnce) {
  const auto p = problems(R"(scenario: t
devices: {tag: nothing-has-this}
repeat: 0
limits: {reconnect: 3 min}
overrides: {wifii: {reconnect: 1m}}
steps:
  - power: reboot
  - outage: start
  - expect: {event: cloud_conected, within: reconect, from: repeat_start}
measure:
  - {name: m, from: nowhere, to: {led: off}, unit: hours}
)");
  // repeat, limit duration, override key, power value, outage mode, event name, limit name,
  // measurement mark, measurement unit (the selector is only checked once the file parses).
  EXPECT_GE(p.size(), 9U);
  for (const auto& line : p) EXPECT_THAT(line, ::testing::StartsWith("s.yaml:"));
}

TEST(ScenarioFile, AnEventNamedOnlyByTheRacksPatternsIsCheckedAgainstTheRack) {
  Diagnostics diags;
  const auto s = parse_scenario(
      kHeader + "steps:\n  - expect: {event: relay_on, within: 5s, from: repeat_start}\n", "s.yaml", diags);
  ASSERT_TRUE(s);
  Rack rack = builtin_sim_rack();
  check_scenario_against_rack(*s, rack, diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_THAT(diags.items()[0].to_string(), HasSubstr("s.yaml:4:21: unknown event 'relay_on'"));
  rack.patterns.push_back({"Relay ON", "relay_on", {}});
  Diagnostics again;
  check_scenario_against_rack(*s, rack, again);
  EXPECT_TRUE(again.empty());
}

TEST(ScenarioFile, StepsOnDevicesWithoutTheNeededHardwareAreRejected) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: bare
safe_power: off
devices:
  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack);
  const auto s = parse_scenario(kHeader + "steps:\n  - power: on\n  - outage: start\n    mode: cloud\n",
                                "s.yaml", diags);
  ASSERT_TRUE(s);
  check_scenario_against_rack(*s, *rack, diags);
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_THAT(diags.items()[0].to_string(), HasSubstr("needs a power backend but device 'a1' has none"));
  EXPECT_THAT(diags.items()[1].to_string(), HasSubstr("device 'a1' is on no network segment"));
}

TEST(ScenarioFile, ImpairReadsLossDelayAndJitter) {
  Diagnostics diags;
  const auto s = parse_scenario(kHeader + R"(steps:
  - outage: start
    mode: impair
    loss: 12.5%
    delay: 300ms
    jitter: 40ms
  - outage: start
    mode: dns
    action: reject
)",
                                "s.yaml", diags);
  ASSERT_TRUE(s) << diags.items().front().to_string();
  const auto& impair = std::get<OutageStep>(s->steps[0].action).spec;
  EXPECT_EQ(impair.mode, OutageMode::impair);
  EXPECT_DOUBLE_EQ(impair.impair.loss_percent, 12.5);
  EXPECT_EQ(impair.impair.delay, 300ms);
  EXPECT_EQ(impair.impair.jitter, 40ms);
  const auto& dns = std::get<OutageStep>(s->steps[1].action).spec;
  EXPECT_EQ(dns.mode, OutageMode::dns);
  EXPECT_EQ(dns.action, OutageAction::reject);
}

TEST(ScenarioFile, OutageParametersThatDoNotBelongAreErrorsAtTheKey) {
  const auto step = [](const std::string& body) {
    return problems(kHeader + "steps:\n  - outage: start\n" + body);
  };
  EXPECT_THAT(
      step("    mode: impair\n    loss: 120%\n"),
      ::testing::ElementsAre("s.yaml:6:11: loss '120%' must be a percentage from 0 to 100, like 20%"));
  EXPECT_THAT(step("    mode: impair\n"),
              ::testing::ElementsAre(HasSubstr("mode: impair needs 'loss' (like 20%) and/or 'delay'")));
  EXPECT_THAT(step("    mode: impair\n    loss: 5%\n    jitter: 10ms\n"),
              ::testing::ElementsAre("s.yaml:7:13: 'jitter' varies the 'delay': give a delay too"));
  EXPECT_THAT(step("    mode: cloud\n    loss: 5%\n"),
              ::testing::ElementsAre("s.yaml:6:11: 'loss' belongs to mode: impair"));
  EXPECT_THAT(step("    mode: link\n    action: reject\n"),
              ::testing::ElementsAre(
                  HasSubstr("s.yaml:6:13: 'action' (drop or reject) applies to cloud, internet and dns "
                            "outages, not to link")));
  EXPECT_THAT(step("    mode: cloudd\n"), ::testing::ElementsAre(HasSubstr("did you mean 'cloud'")));
}

TEST(ScenarioFile, AnOutageModeNoBackendOfTheSegmentPerformsIsAnError) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
segments:
  - name: cellular
    outage: {backend: only_link}
devices:
  - {name: b1, id: e00fce68a1b2c3d4e5f60718, platform: boron, segment: cellular}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack);
  BackendRegistry registry;
  registry.add<OutageSwitch>("only_link", {.modes = [](const BackendSite&) {
                               return std::vector<OutageMode>{OutageMode::link, OutageMode::internet};
                             }});
  const auto s = parse_scenario(
      kHeader + "steps:\n  - outage: start\n    mode: cloud\n  - outage: start\n    mode: link\n", "s.yaml",
      diags);
  ASSERT_TRUE(s);
  check_scenario_against_rack(*s, *rack, diags, &registry);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_EQ(diags.items()[0].to_string(),
            "s.yaml:4:5: steps[0] outage start cloud (drop): segment 'cellular' in rack 'r' has no outage "
            "backend for "
            "mode cloud; its backends do: only_link (link, internet)");
}
