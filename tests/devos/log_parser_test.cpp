#include "rig/devos/log_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/devos/corpus.hpp"

namespace cyanrig {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::vector<std::string> events_in(const std::string& file) {
  DevosLogParser parser;
  std::vector<std::string> names;
  for (const std::string& line : testing::corpus_lines(file)) {
    if (const auto event = parser.parse(line)) names.push_back(event->name);
  }
  return names;
}

std::vector<DevosEvent> parsed(const std::string& file) {
  DevosLogParser parser;
  std::vector<DevosEvent> events;
  for (const std::string& line : testing::corpus_lines(file)) {
    if (auto event = parser.parse(line)) events.push_back(std::move(*event));
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// Whole recorded situations: the event sequence a scenario waits on.

TEST(DevosCorpus, ArgonWifiBootResumingItsSession) {
  EXPECT_THAT(events_in("argon_wifi_boot.log"),
              ElementsAre("device_started", "reset_reason", "network_state", "network_state", "network_state",
                          "network_link_up", "network_state", "network_state", "cloud_connecting",
                          "cloud_socket_connected", "handshake_started", "session_resumed",
                          "handshake_completed", "cloud_connected"));
  const auto events = parsed("argon_wifi_boot.log");
  EXPECT_EQ(events[0].fields, json({{"id", "e00fce681234567890abcdef"}}));
  EXPECT_EQ(events[0].device_ms, 652u);
  EXPECT_EQ(events[1].fields, json({{"reason", "pin_reset"}, {"code", 20}, {"data", 0}}));
  EXPECT_EQ(events[7].fields, json({{"from", "IFACE_LINK_UP"}, {"to", "IP_CONFIGURED"}}));
  EXPECT_EQ(events[5].fields, json({{"interface", "wl3"}, {"kind", "link"}}));
  EXPECT_EQ(events[10].fields, json({{"presence_announce", 0}}));
  EXPECT_EQ(events.back().device_ms, 3840u);
}

TEST(DevosCorpus, BoronCellularBootWithFullHandshakeAndCrlfEndings) {
  EXPECT_THAT(
      events_in("boron_cellular_boot.log"),
      ElementsAre("device_started", "reset_reason", "network_state", "network_state", "network_state",
                  "network_link_up", "network_state", "network_state", "cloud_connecting",
                  "cloud_socket_connected", "handshake_started", "handshake_completed", "cloud_connected"));
  const auto events = parsed("boron_cellular_boot.log");
  EXPECT_EQ(events[1].fields["reason"], "power_down");
  EXPECT_EQ(events[5].fields, json({{"interface", "pp3"}, {"kind", "state"}}));
  EXPECT_EQ(events[10].fields, json({{"presence_announce", 1}}));
}

TEST(DevosCorpus, PhotonGen2BootAndOutageBehindHostTimestamps) {
  EXPECT_THAT(events_in("photon_gen2_boot.log"),
              ElementsAre("device_started", "reset_reason", "cloud_connecting", "cloud_socket_connected",
                          "handshake_started", "session_resumed", "cloud_connected", "cloud_disconnecting",
                          "cloud_disconnected", "internet_test_failed", "network_reset", "network_reset",
                          "cloud_unreachable"));
  const auto events = parsed("photon_gen2_boot.log");
  EXPECT_EQ(events[0].fields["id"], "3c002b000d47343432313031");
  EXPECT_EQ(events[1].fields["reason"], "update");
  EXPECT_EQ(events[9].fields, json::object());
  EXPECT_EQ(events[10].fields, json({{"reason", "5 failed connect attempts"}}));
  EXPECT_EQ(events[11].fields, json({{"reason", "WLAN_WD_TO()"}}));
  EXPECT_EQ(events[11].device_ms, 408021u);
}

TEST(DevosCorpus, OtaSuccessThenResetForTheUpdate) {
  EXPECT_THAT(events_in("ota_success.log"),
              ElementsAre("ota_started", "ota_started", "ota_finished", "ota_applying", "cloud_disconnecting",
                          "cloud_disconnected", "device_started", "reset_reason"));
  EXPECT_EQ(parsed("ota_success.log").back().fields["reason"], "update");
}

TEST(DevosCorpus, OtaFailures) {
  EXPECT_THAT(events_in("ota_failure.log"),
              ElementsAre("ota_started", "ota_started", "ota_failed", "ota_failed", "ota_started",
                          "ota_started", "ota_finished", "ota_failed"));
  const auto events = parsed("ota_failure.log");
  EXPECT_EQ(events[2].fields, json({{"reason", "transfer_timeout"}}));
  EXPECT_EQ(events[3].fields, json({{"reason", "cancelled"}}));
  EXPECT_EQ(events[7].fields, json({{"reason", "update_failed"}, {"code", -160}}));
}

TEST(DevosCorpus, SleepDisconnectsGracefullyAndReconnectsOnWake) {
  EXPECT_THAT(events_in("sleep_disconnect.log"),
              ElementsAre("cloud_disconnecting", "cloud_disconnected", "network_state", "network_link_down",
                          "network_state", "network_state", "network_state", "network_state", "network_state",
                          "network_link_up", "network_state", "network_state", "cloud_connecting",
                          "cloud_socket_connected", "handshake_started", "session_resumed",
                          "handshake_completed", "cloud_connected"));
}

TEST(DevosCorpus, OutageWithInternetTestFailureAndNetworkReset) {
  EXPECT_THAT(events_in("wifi_outage.log"),
              ElementsAre("cloud_error", "cloud_disconnecting", "cloud_disconnected", "cloud_connecting",
                          "dns_failed", "internet_test_failed", "cloud_socket_failed", "cloud_error",
                          "cloud_connecting", "internet_test_failed", "cloud_socket_failed", "network_reset",
                          "network_state", "network_link_down", "network_state"));
  const auto events = parsed("wifi_outage.log");
  EXPECT_EQ(events[0].fields, json::object());
  EXPECT_EQ(events[4].fields, json({{"host", "e00fce681234567890abcdef.udp.particle.io"}, {"code", -110}}));
  EXPECT_EQ(events[5].fields, json({{"code", -110}, {"reason", "timed out"}}));
  EXPECT_EQ(events[6].fields, json({{"code", -110}}));
  EXPECT_EQ(events[7].fields, json({{"code", 2}}));
  EXPECT_EQ(events[11].fields, json({{"minutes", 5}}));
}

TEST(DevosCorpus, HandshakeFailureWithBadKeys) {
  EXPECT_THAT(events_in("handshake_failure.log"),
              ElementsAre("cloud_socket_connected", "handshake_started", "cloud_handshake_failed",
                          "cloud_unreachable", "cloud_error", "cloud_disconnected"));
  EXPECT_EQ(parsed("handshake_failure.log")[2].fields, json({{"code", -220}}));
}

TEST(DevosCorpus, ListeningMode) {
  EXPECT_THAT(events_in("listening_mode.log"), ElementsAre("listening_entered", "listening_exited"));
}

TEST(DevosCorpus, PanicThenResetWithThePanicCode) {
  EXPECT_THAT(events_in("panic_sos.log"), ElementsAre("panic", "device_started", "reset_reason"));
  const auto events = parsed("panic_sos.log");
  EXPECT_EQ(events[0].fields, json({{"code", 8}, {"name", "out_of_heap"}}));
  EXPECT_EQ(events[2].fields, json({{"reason", "panic"}, {"code", 130}, {"data", 13}, {"panic_code", 13}}));
}

TEST(DevosCorpus, EveryBuiltInEventAppearsSomewhere) {
  std::set<std::string> seen;
  for (const std::string& file : testing::corpus_files()) {
    for (const std::string& name : events_in(file)) seen.insert(name);
  }
  const auto& names = DevosLogParser::event_names();
  EXPECT_THAT(seen, ::testing::UnorderedElementsAreArray(names));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "duplicate names";
}

TEST(DevosCorpus, CapturePrefixesAndLineEndingsChangeNothing) {
  const std::vector<std::string> prefixes{"2026-11-21 08:15:02.123 ", "[12:00:01.234] ", "[ttyACM0] ",
                                          "[0.123456 0.000100] ", "8434 - "};
  DevosLogParser parser;
  for (const std::string& file : testing::corpus_files()) {
    for (const std::string& line : testing::corpus_lines(file)) {
      const auto plain = parser.parse(line);
      for (const std::string& prefix : prefixes) {
        SCOPED_TRACE(prefix + line);
        const auto prefixed = parser.parse(prefix + line + "\r\n");
        ASSERT_EQ(prefixed.has_value(), plain.has_value());
        if (!plain) continue;
        EXPECT_EQ(prefixed->name, plain->name);
        EXPECT_EQ(prefixed->device_ms, plain->device_ms);
        EXPECT_EQ(prefixed->fields, plain->fields);
      }
    }
  }
}

// Newer Device OS code puts its component before some messages ("Cloud: Cloud socket connected").
const std::vector<std::string>& component_prefixes() {
  static const std::vector<std::string> kPrefixes{"Cloud: ", "comm.protocol: ", "[ota] ", "CloudProtocol - "};
  return kPrefixes;
}

// "<header> LEVEL: message" -> "<header> LEVEL: <prefix>message"; a line without a level is kept.
std::string with_component_prefix(const std::string& line, const std::string& prefix) {
  static const std::regex kLevel(R"((TRACE|INFO|WARN|WARNING|ERROR|PANIC): *)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(line, m, kLevel)) return line;
  const auto at = static_cast<std::size_t>(m.position(0) + m.length(0));
  return line.substr(0, at) + prefix + line.substr(at);
}

TEST(DevosCorpus, ComponentPrefixesBeforeTheMessageChangeNothing) {
  DevosLogParser parser;
  for (const std::string& file : testing::corpus_files()) {
    for (const std::string& line : testing::corpus_lines(file)) {
      const auto plain = parser.parse(line);
      for (const std::string& prefix : component_prefixes()) {
        const std::string prefixed_line = with_component_prefix(line, prefix);
        SCOPED_TRACE(prefixed_line);
        const auto prefixed = parser.parse(prefixed_line);
        ASSERT_EQ(prefixed.has_value(), plain.has_value());
        if (!plain) continue;
        EXPECT_EQ(prefixed->name, plain->name);
        EXPECT_EQ(prefixed->device_ms, plain->device_ms);
        EXPECT_EQ(prefixed->fields, plain->fields);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Single lines: the loose matching promised for version drift.

struct Expected {
  const char* line;
  const char* event;
  json fields;
};

void PrintTo(const Expected& e, std::ostream* os) {
  *os << e.line;
}

class DevosLineVariants : public ::testing::TestWithParam<Expected> {};

TEST_P(DevosLineVariants, ParsesToTheNamedEvent) {
  const Expected& expected = GetParam();
  const auto event = DevosLogParser().parse(expected.line);
  ASSERT_TRUE(event) << expected.line;
  EXPECT_EQ(event->name, expected.event);
  EXPECT_EQ(event->fields, expected.fields) << event->fields.dump();
}

// Every built-in pattern (each has a line below) also matches behind a component prefix.
TEST_P(DevosLineVariants, AComponentPrefixBeforeTheMessageChangesNothing) {
  const Expected& expected = GetParam();
  for (const std::string& prefix : component_prefixes()) {
    const std::string line = with_component_prefix(expected.line, prefix);
    const auto event = DevosLogParser().parse(line);
    ASSERT_TRUE(event) << line;
    EXPECT_EQ(event->name, expected.event) << line;
    EXPECT_EQ(event->fields, expected.fields) << line << ": " << event->fields.dump();
  }
}

const json kNone = json::object();

INSTANTIATE_TEST_SUITE_P(
    Variants, DevosLineVariants,
    ::testing::Values(
        Expected{"0000000001 [system] INFO: Device E00FCE681234567890ABCDEF started!",
                 "device_started",
                 {{"id", "e00fce681234567890abcdef"}}},
        Expected{"0000000001 [system] TRACE: Last reset reason: 60",
                 "reset_reason",
                 {{"reason", "watchdog"}, {"code", 60}}},
        Expected{"0000000001 [system] TRACE: last reset reason 140 (data 0x1)",
                 "reset_reason",
                 {{"reason", "user"}, {"code", 140}, {"data", 1}}},
        Expected{"0000000001 [system] TRACE: Last reset reason: 7 (data: 0x00)",
                 "reset_reason",
                 {{"reason", "7"}, {"code", 7}, {"data", 0}}},
        Expected{"0000000001 [system.nm] info: state changed: iface_up -> iface_link_up",
                 "network_state",
                 {{"from", "IFACE_UP"}, {"to", "IFACE_LINK_UP"}}},
        Expected{"0000000001 [system.nm] INFO: State changed: IFACE_UP->IFACE_LINK_UP.",
                 "network_state",
                 {{"from", "IFACE_UP"}, {"to", "IFACE_LINK_UP"}}},
        Expected{"0000000001 [system.nm] INFO: State changed: IP_CONFIGURED --> IFACE_FUTURE_STATE",
                 "network_state",
                 {{"from", "IP_CONFIGURED"}, {"to", "IFACE_FUTURE_STATE"}}},
        Expected{"0000000001 [net.ifapi] INFO: Netif wl3 link DOWN",
                 "network_link_down",
                 {{"interface", "wl3"}, {"kind", "link"}}},
        Expected{"0000000001 [net.ifapi] INFO: Netif pp3 state down",
                 "network_link_down",
                 {{"interface", "pp3"}, {"kind", "state"}}},
        Expected{"0000000001 [system] INFO: Cloud connecting", "cloud_connecting", kNone},
        Expected{"0000000001 [system] INFO: CLOUD: CONNECTING.", "cloud_connecting", kNone},
        Expected{"0000000001 [system] INFO:   Cloud socket connected  ", "cloud_socket_connected", kNone},
        Expected{"0000000001 [system] ERROR: Cloud socket connection failed, code = -117",
                 "cloud_socket_failed",
                 {{"code", -117}}},
        Expected{"0000000001 [system] ERROR: Cloud socket connection failed", "cloud_socket_failed", kNone},
        Expected{"0000000001 [system] ERROR: Cloud socket connection failed [code = -230]",
                 "cloud_socket_failed",
                 {{"code", -230}}},
        Expected{"0000000001 [system] INFO: Starting handshake: presence_announce=1",
                 "handshake_started",
                 {{"presence_announce", 1}}},
        Expected{"0000000001 [system] INFO: Starting handshake", "handshake_started", kNone},
        Expected{"0000000001 [comm.protocol.handshake] INFO: skipping hello message", "session_resumed",
                 kNone},
        Expected{"0000000001 [comm.protocol.handshake] INFO: Handshake completed!", "handshake_completed",
                 kNone},
        Expected{"0000000001 [system] INFO: cloud connected", "cloud_connected", kNone},
        Expected{"0000000001 [system] ERROR: Cloud handshake failed: -230!",
                 "cloud_handshake_failed",
                 {{"code", -230}}},
        Expected{"0000000001 [system] ERROR: Cloud handshake failed", "cloud_handshake_failed", kNone},
        Expected{"0000000001 [system] INFO: Cloud disconnecting", "cloud_disconnecting", kNone},
        Expected{"0000000001 [system] INFO: cloud: Disconnected.", "cloud_disconnected", kNone},
        Expected{"0000000001 [system] INFO: Handling cloud error: -120", "cloud_error", {{"code", -120}}},
        Expected{"0000000001 [system] ERROR: Communication loop error, closing cloud socket [code = -220]",
                 "cloud_error",
                 {{"code", -220}}},
        Expected{"0000000001 [system] ERROR: Communication loop error, closing cloud socket [code = -220, "
                 "details = keepalive]",
                 "cloud_error",
                 {{"code", -220}, {"details", "keepalive"}}},
        Expected{"0000000001 [system] WARN: Internet test failed: DNS lookup failed",
                 "internet_test_failed",
                 {{"reason", "DNS lookup failed"}}},
        Expected{
            "0000000001 [system] WARN: internet test failed: -3", "internet_test_failed", {{"code", -3}}},
        Expected{"0000000001 [system] WARN: Internet available, cloud not reachable", "cloud_unreachable",
                 kNone},
        Expected{"0000000001 [system] ERROR: Unable to resolve IP for device.tcp.particle.io(-3)",
                 "dns_failed",
                 {{"host", "device.tcp.particle.io"}, {"code", -3}}},
        Expected{"0000000001 [system] ERROR: Unable to resolve IP for device.tcp.particle.io",
                 "dns_failed",
                 {{"host", "device.tcp.particle.io"}}},
        Expected{
            "0000000001 [system] WARN: Resetting network interfaces due to failed connection attempts for "
            "1 minute",
            "network_reset",
            {{"minutes", 1}}},
        Expected{"0000000001 [comm.ota] INFO: received update start request", "ota_started", kNone},
        Expected{"0000000001 [comm.ota] INFO: Starting firmware update...", "ota_started", kNone},
        Expected{"0000000001 [comm.ota] INFO: Received UpdateFinish request", "ota_finished", kNone},
        Expected{"0000000001 [comm.ota] INFO: Applying firmware update", "ota_applying", kNone},
        Expected{"0000000001 [comm.ota] ERROR: Firmware update failed: flash write error",
                 "ota_failed",
                 {{"reason", "update_failed"}, {"detail", "flash write error"}}},
        Expected{"0000000001 [comm.ota] ERROR: Firmware update failed, code = -160",
                 "ota_failed",
                 {{"reason", "update_failed"}, {"code", -160}}},
        Expected{
            "0000000001 [comm.ota] ERROR: transfer timeout!", "ota_failed", {{"reason", "transfer_timeout"}}},
        Expected{
            "0000000001 [comm.ota] INFO: Canceling firmware update", "ota_failed", {{"reason", "cancelled"}}},
        Expected{"0000000001 [system] INFO: entering listening mode...", "listening_entered", kNone},
        Expected{"0000000001 [system] INFO: Exiting Listening Mode", "listening_exited", kNone},
        Expected{"0000000001 [system] PANIC: HardFault", "panic", {{"code", 1}, {"name", "hard_fault"}}},
        Expected{"0000000001 [system] panic: Stack overflow detected",
                 "panic",
                 {{"code", 13}, {"name", "stack_overflow"}}},
        Expected{"0000000001 [system] PANIC: something unexpected", "panic", kNone},
        Expected{"0000000001 [app] ERROR: panic, 13", "panic", {{"code", 13}, {"name", "stack_overflow"}}},
        Expected{"0000000001 [app] WARN: Panic: AssertionFailure",
                 "panic",
                 {{"code", 10}, {"name", "assertion_failure"}}},
        Expected{"[system] INFO: Cloud connected", "cloud_connected", kNone},  // handler without timestamps
        Expected{"0000000001 [system] foo.cpp:12, bar(): INFO: Cloud connected", "cloud_connected", kNone}));

TEST(DevosLogParser, LineWithoutCounterGivesNoDeviceMs) {
  const auto event = DevosLogParser().parse("[system] INFO: Cloud connected");
  ASSERT_TRUE(event);
  EXPECT_FALSE(event->device_ms);
}

TEST(DevosLogParser, LinesThatMustNotMatch) {
  const std::vector<std::string> lines{
      "",
      "\r\n",
      "Cloud connected",  // a plain println is not Device OS talking
      "0000003850 [app] INFO: connected to the cloud in 3200 ms",
      "0000003850 [app] INFO: Cloud connected to my dashboard",
      "0000002082 [system] INFO: cloud connected from existing session.",
      "0000002100 [ncp.client] INFO: NCP state changed: 1",
      "0000018231 [net.ppp.client] INFO: State UP, connecting PPP",
      "0000018790 [net.ppp.client] INFO: PPP phase -> Network",
      "0000000200 [system] INFO: ARM_WLAN_WD 1",
      "0000001850 [system] INFO: CLR_WLAN_WD 1, DHCP success",
      "0000408120 [system] INFO: DHCP fail, ARM_WLAN_WD 4",
      "0000123401 [comm.ota] INFO: File size: 372844",
      "0000205300 [comm.ota] INFO: Update time: 81720",
      "0000205121 [comm.ota] INFO: Validating firmware update",
      "0000025911 [comm.protocol.handshake] INFO: Sending HELLO message",
      "0000019686 [comm.protocol.handshake] INFO: Establish secure connection",
      "0000024000 [comm.protocol.handshake] ERROR: Handshake failed: -220",
      "0000002080 [comm.dtls] WARN: skipping hello message",  // old firmware's twin of the resume line
      "0000003702 [system] INFO: Resolved host x.udp.particle.io to 54.158.29.30",
      "0000000001 [system] INFO: Device e00fce68 started",  // not a 24-character device ID
      "0000000001 [app] INFO: the panic button was pressed",
      "0000000001 [app] INFO: Entering listening mode soon",
      "0000000001 [system] TRACE: Last reset reason: unknown",
      "0000000001 [app] INFO: Disconnected from cloud? no",
      "0000000001 [system] INFO: Cloud connected [not an attribute block]",
      "0000000001 [app] INFO: mycloud connected",              // a known text starts where a word starts
      "0000000001 [system] INFO: Cloud connected, then lost",  // and ends the message
      std::string("\xff\xfe\x00garbage", 10),  // with its NUL: a C string would end before "garbage"
  };
  DevosLogParser parser;
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(parser.parse(line));
  }
}

TEST(DevosLogParser, VeryLongLinesAreNotEvents) {
  DevosLogParser parser;
  EXPECT_FALSE(parser.parse("0000000001 [system] INFO: Cloud connected" + std::string(5000, ' ') + "x"));
}

TEST(DevosLogParser, EventNamesAreTheDocumentedList) {
  EXPECT_THAT(DevosLogParser::event_names(), ElementsAreArray({"device_started",
                                                               "reset_reason",
                                                               "network_state",
                                                               "network_link_up",
                                                               "network_link_down",
                                                               "cloud_connecting",
                                                               "cloud_socket_connected",
                                                               "cloud_socket_failed",
                                                               "handshake_started",
                                                               "session_resumed",
                                                               "handshake_completed",
                                                               "cloud_connected",
                                                               "cloud_handshake_failed",
                                                               "cloud_disconnecting",
                                                               "cloud_disconnected",
                                                               "cloud_error",
                                                               "internet_test_failed",
                                                               "cloud_unreachable",
                                                               "dns_failed",
                                                               "network_reset",
                                                               "ota_started",
                                                               "ota_finished",
                                                               "ota_applying",
                                                               "ota_failed",
                                                               "listening_entered",
                                                               "listening_exited",
                                                               "panic"}));
}

// ---------------------------------------------------------------------------------------------
// Application patterns.

TEST(DevosUserPatterns, MatchTheMessageAndKeepTheDeviceTime) {
  DevosLogParser parser;
  parser.add_pattern(R"(^temperature=(-?\d+) humidity=(\d+)$)", "sensor_reading");
  const auto event = parser.parse("0000012000 [app] INFO: temperature=-4 humidity=80\r\n");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->name, "sensor_reading");
  EXPECT_EQ(event->device_ms, 12000u);
  EXPECT_EQ(event->fields, json({{"1", "-4"}, {"2", "80"}}));
}

TEST(DevosUserPatterns, MatchTheWholeLineWhenThereIsNoDeviceOsHeader) {
  DevosLogParser parser;
  parser.add_pattern(R"(^BOOT v(\d+)\.(\d+)(\.\d+)?)", "app_booted");
  const auto event = parser.parse("BOOT v1.4\r\n");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->name, "app_booted");
  EXPECT_FALSE(event->device_ms);
  EXPECT_EQ(event->fields, json({{"1", "1"}, {"2", "4"}}));  // group 3 took no part
}

TEST(DevosUserPatterns, AreSearchedNotAnchoredAndCaseSensitive) {
  DevosLogParser parser;
  parser.add_pattern("relay closed", "relay_closed");
  EXPECT_TRUE(parser.parse("0000000001 [app] INFO: note: relay closed at step 3"));
  EXPECT_FALSE(parser.parse("0000000001 [app] INFO: Relay Closed"));
}

TEST(DevosUserPatterns, BuiltInsWinAndTheFirstAddedPatternWins) {
  DevosLogParser parser;
  parser.add_pattern("Cloud connected", "my_connected");
  parser.add_pattern("ready", "first");
  parser.add_pattern("ready", "second");
  EXPECT_EQ(parser.parse("0000000001 [system] INFO: Cloud connected")->name, "cloud_connected");
  EXPECT_EQ(parser.parse("0000000001 [app] INFO: ready")->name, "first");
  // Without the Device OS header the built-ins stay quiet, so the user pattern gets the line.
  EXPECT_EQ(parser.parse("Cloud connected")->name, "my_connected");
}

TEST(DevosUserPatterns, SkipHugeLinesInsteadOfExhaustingTheStack) {
  DevosLogParser parser;
  parser.add_pattern("name=(.*)$", "named");
  EXPECT_TRUE(parser.parse("0000000001 [app] INFO: name=" + std::string(4000, 'a')));
  EXPECT_FALSE(parser.parse("0000000001 [app] INFO: name=" + std::string(1 << 20, 'a')));
}

TEST(DevosUserPatterns, RejectsBadPatterns) {
  DevosLogParser parser;
  EXPECT_THROW(parser.add_pattern("temperature=(\\d+", "sensor"), std::invalid_argument);
  EXPECT_THROW(parser.add_pattern("ok", ""), std::invalid_argument);
  EXPECT_FALSE(parser.parse("ok"));
}

}  // namespace
}  // namespace cyanrig
