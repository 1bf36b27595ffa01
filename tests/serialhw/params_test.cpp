// The tty and tcp backends' rack file parameters: mistakes reported at file:line:col.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/serial/tcp/tcp_port.hpp"
#include "drivers/serial/tty/tty_port.hpp"
#include "rig/clock.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

BackendSpec spec(const std::string& yaml) {
  Diagnostics diags;
  const auto node = load_yaml_text(yaml, "rack.yaml", diags);
  EXPECT_TRUE(node && diags.empty());
  return {
      .backend = (*node)["backend"].as<std::string>(), .params = *node, .loc = loc_of(*node, "rack.yaml")};
}

std::vector<std::string> problems(const BackendFactory<SerialPort>& factory, const std::string& yaml) {
  const BackendSpec s = spec(yaml);
  Diagnostics diags;
  factory.validate({s}, diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

TEST(TtyParams, PathIsRequiredAndBaudDefaultsTo115200) {
  Diagnostics diags;
  const auto settings =
      read_tty_settings(spec("backend: tty\npath: /dev/serial/by-id/usb-Particle\n"), diags);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->path, "/dev/serial/by-id/usb-Particle");
  EXPECT_EQ(settings->baud, 115200U);
  EXPECT_THAT(problems(tty_serial_backend(), "backend: tty\nbaud: 14400\n"),
              ElementsAre("rack.yaml:1:1: tty serial backend needs 'path'"));
}

TEST(TtyParams, BadValuesAndUnknownFieldsAreReportedWhereTheyAre) {
  EXPECT_THAT(problems(tty_serial_backend(), "backend: tty\npath: /dev/ttyACM0\nbaud: fast\nspeed: 9600\n"),
              ElementsAre("rack.yaml:3:7: 'baud' must be a whole number, found 'fast'",
                          "rack.yaml:4:1: unknown field 'speed' in tty serial backend"));
  EXPECT_THAT(
      problems(tty_serial_backend(), "backend: tty\npaht: /dev/ttyACM0\n"),
      ElementsAre("rack.yaml:1:1: tty serial backend needs 'path'",
                  "rack.yaml:2:1: unknown field 'paht' in tty serial backend (did you mean 'path'?)"));
}

TEST(TcpParams, HostAndPortAreRequiredAndReconnectDefaultsToOneSecond) {
  Diagnostics diags;
  const auto settings = read_tcp_settings(spec("backend: tcp\nhost: 192.168.1.40\nport: 4001\n"), diags);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->host, "192.168.1.40");
  EXPECT_EQ(settings->port, 4001);
  EXPECT_EQ(settings->reconnect, 1s);
  EXPECT_THAT(problems(tcp_serial_backend(), "backend: tcp\n"),
              ElementsAre("rack.yaml:1:1: tcp serial backend needs 'host'",
                          "rack.yaml:1:1: tcp serial backend needs 'port'"));
}

TEST(TcpParams, BadPortAndReconnectAreReportedWhereTheyAre) {
  EXPECT_THAT(problems(tcp_serial_backend(), "backend: tcp\nhost: ser2net\nport: 70000\nreconnect: 1ms\n"),
              ElementsAre("rack.yaml:3:7: 'port' must be between 1 and 65535, found 70000",
                          "rack.yaml:4:12: 'reconnect' must be at least 10ms, found 1ms"));
}

TEST(SerialHwFactories, CreateRefusesBadParametersNamingTheCause) {
  auto clock = make_steady_clock();
  const Rack rack;
  BackendContext ctx(*clock, rack, 1);
  const BackendSpec s = spec("backend: tty\nbaud: 9600\n");
  try {
    tty_serial_backend().create({s}, ctx);
    ADD_FAILURE() << "create accepted a tty without a path";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "rack.yaml:1:1: tty serial backend needs 'path'");
  }
  // A port that is absent now is no error at create: the device may be off.
  EXPECT_NE(tty_serial_backend().create({spec("backend: tty\npath: /dev/cyanrig-absent\n")}, ctx), nullptr);
}

}  // namespace
}  // namespace cyanrig::testing
