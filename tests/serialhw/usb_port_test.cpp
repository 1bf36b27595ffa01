// The `usb` serial backend: finding a device's port by identity (its device ID wherever it
// re-enumerates), `cyanrig discover`'s table and rack-file snippet, and the DFU / listening-mode
// baud nudge. Real ptys stand in for USB ports; a fake port list stands in for libserialport's.
#include "drivers/serial/usb/usb_port.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/serial/tty/tty_baud.hpp"
#include "drivers/serial/usb/baud_nudge.hpp"
#include "drivers/serial/usb/discover_report.hpp"
#include "drivers/serial/usb/usb_ports.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/yaml/yaml_reader.hpp"
#include "serial_test_support.hpp"

namespace cyanrig::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kArgonId = "e00fce68a1b2c3d4e5f60718";

UsbSerialPortInfo argon(const std::string& path, std::string serial = std::string(kArgonId)) {
  return {.path = path,
          .vid = kParticleUsbVendor,
          .pid = 0xc00c,
          .serial = std::move(serial),
          .description = "Argon",
          .manufacturer = "Particle"};
}

UsbSerialPortInfo ftdi_adapter() {
  return {.path = "/dev/ttyUSB0",
          .vid = 0x0403,
          .pid = 0x6001,
          .serial = "A50285BI",
          .description = "FT232R USB UART",
          .manufacturer = "FTDI"};
}

// ---- discover: platform, table, snippet ----

TEST(ParticleProduct, PlatformComesFromTheProductIdInNormalAndDfuMode) {
  EXPECT_EQ(particle_product(0xc00c).platform, "argon");
  EXPECT_FALSE(particle_product(0xc00c).dfu);
  EXPECT_EQ(particle_product(0xd00d).platform, "boron");
  EXPECT_TRUE(particle_product(0xd00d).dfu);
  EXPECT_EQ(particle_product(0xc006).platform, "photon");
  EXPECT_EQ(particle_product(0xc020).platform, "p2");
  EXPECT_EQ(particle_product(0xc023).platform, "msom");
  EXPECT_EQ(particle_product(0xc0ff).platform, "unknown");
}

TEST(ParticleProduct, OnlyAParticlePortWithADeviceIdShapedSerialHasADeviceId) {
  EXPECT_EQ(particle_device_id(argon("/dev/ttyACM0", "E00FCE68A1B2C3D4E5F60718"))->str(), kArgonId);
  EXPECT_FALSE(particle_device_id(argon("/dev/ttyACM0", "not-an-id")));
  UsbSerialPortInfo other = ftdi_adapter();
  other.serial = std::string(kArgonId);
  EXPECT_FALSE(particle_device_id(other)) << "not Particle's vendor id";
}

TEST(DiscoverTable, OneRowPerPortUnderAHeaderWithParticleIdsAndPlatforms) {
  UsbSerialPortInfo boron_in_dfu = argon("/dev/ttyACM1", "e00fce68f0e1d2c3b4a59687");
  boron_in_dfu.pid = 0xd00d;
  const std::string table = format_discover_table({argon("/dev/ttyACM0"), boron_in_dfu, ftdi_adapter()});

  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; (nl = table.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(table.substr(at, nl - at));
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_THAT(lines[0], StartsWith("path          VID:PID    serial"));
  EXPECT_THAT(lines[0], HasSubstr("Particle device ID"));
  EXPECT_EQ(lines[1],
            "/dev/ttyACM0  2b04:c00c  e00fce68a1b2c3d4e5f60718  Argon            "
            "e00fce68a1b2c3d4e5f60718  argon");
  EXPECT_THAT(lines[2], HasSubstr("2b04:d00d"));
  EXPECT_THAT(lines[2], HasSubstr("boron (DFU)"));
  EXPECT_THAT(lines[3], StartsWith("/dev/ttyUSB0  0403:6001  A50285BI"));
  EXPECT_THAT(lines[3], HasSubstr("FT232R USB UART  -                         -"));
}

TEST(DiscoverTable, NoPortsIsSaidInWords) {
  EXPECT_EQ(format_discover_table({}),
            "path  VID:PID  serial  description  Particle device ID  platform\nno USB serial ports found\n");
}

// The snippet after a rack header is a rack file that validates with the usb backend.
TEST(DiscoverSnippet, ParticleDevicesBecomeRackEntriesThatValidate) {
  UsbSerialPortInfo second = argon("/dev/ttyACM1", "e00fce68a1b2c3d4e5f60719");
  const std::string snippet = format_rack_snippet({argon("/dev/ttyACM0"), ftdi_adapter(), second});

  Diagnostics diags;
  const auto rack = parse_rack("rack: bench\nsafe_power: off\n" + snippet, "rack.yaml", diags);
  ASSERT_TRUE(rack) << snippet;
  BackendRegistry registry;
  registry.add<SerialPort>("usb", usb_serial_backend());
  validate_rack_backends(*rack, registry, diags);
  EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();

  ASSERT_EQ(rack->devices.size(), 2U) << "the FTDI adapter is no Particle device";
  EXPECT_EQ(rack->devices[0].name, "argon-1");
  EXPECT_EQ(rack->devices[0].id.str(), kArgonId);
  EXPECT_EQ(rack->devices[0].platform->name, "argon");
  EXPECT_EQ(rack->devices[0].serial->backend, "usb");
  EXPECT_EQ(rack->devices[1].name, "argon-2");
}

TEST(DiscoverSnippet, AnUnknownProductAsksForThePlatformAndNoParticleDeviceIsSaid) {
  UsbSerialPortInfo future = argon("/dev/ttyACM0");
  future.pid = 0xc0ff;
  EXPECT_THAT(format_rack_snippet({future}),
              HasSubstr("platform: unknown  # USB product c0ff: set the platform"));
  EXPECT_EQ(format_rack_snippet({ftdi_adapter()}), "# no Particle devices (USB vendor 2b04) found\n");
}

TEST(FindPortBySerial, ComparesSerialNumbersIgnoringCase) {
  const std::vector<UsbSerialPortInfo> ports{ftdi_adapter(),
                                             argon("/dev/ttyACM3", "E00FCE68A1B2C3D4E5F60718")};
  const UsbSerialPortInfo* found = find_port_by_serial(ports, kArgonId);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->path, "/dev/ttyACM3");
  EXPECT_EQ(find_port_by_serial(ports, "e00fce68a1b2c3d4e5f60719"), nullptr);
}

// ---- libserialport on this machine ----

TEST(UsbListing, ListsThisMachinesPortsWithoutError) {
  const UsbPortListing listing = list_usb_serial_ports();
  EXPECT_EQ(listing.error, "");
  for (const UsbSerialPortInfo& port : listing.ports) EXPECT_THAT(port.path, StartsWith("/dev/"));
  EXPECT_THAT(format_discover_table(listing.ports), StartsWith("path "));
}

// ---- parameters ----

BackendSpec spec(const std::string& yaml) {
  Diagnostics diags;
  const auto node = load_yaml_text(yaml, "rack.yaml", diags);
  EXPECT_TRUE(node && diags.empty());
  return {.backend = "usb", .params = *node, .loc = loc_of(*node, "rack.yaml")};
}

RackDevice rack_device() {
  RackDevice device;
  device.id = *DeviceId::parse(kArgonId);
  device.name = "argon-1";
  return device;
}

std::vector<std::string> problems(const std::string& yaml) {
  Diagnostics diags;
  const RackDevice device = rack_device();
  read_usb_settings(spec(yaml), &device, diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

TEST(UsbParams, TheRackDevicesIdIsTheDefaultIdentity) {
  Diagnostics diags;
  const RackDevice device = rack_device();
  const auto settings = read_usb_settings(spec("backend: usb\n"), &device, diags);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->find_by, UsbSettings::FindBy::device_id);
  EXPECT_EQ(settings->key, kArgonId);
  EXPECT_EQ(settings->baud, 115200U);
}

TEST(UsbParams, AnotherIdentityCanBeGivenButOnlyOne) {
  Diagnostics diags;
  const RackDevice device = rack_device();
  const auto by_id = read_usb_settings(
      spec("backend: usb\ndevice_id: E00FCE68A1B2C3D4E5F60719\nbaud: 921600\n"), &device, diags);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->key, "e00fce68a1b2c3d4e5f60719");
  EXPECT_EQ(by_id->baud, 921600U);
  const auto by_serial = read_usb_settings(spec("backend: usb\nusb_serial: A50285BI\n"), &device, diags);
  ASSERT_TRUE(by_serial);
  EXPECT_EQ(by_serial->find_by, UsbSettings::FindBy::usb_serial);
  EXPECT_EQ(by_serial->key, "A50285BI");
  const auto by_path = read_usb_settings(spec("backend: usb\npath: /dev/ttyACM0\n"), &device, diags);
  ASSERT_TRUE(by_path);
  EXPECT_EQ(by_path->find_by, UsbSettings::FindBy::path);
  EXPECT_TRUE(diags.empty());

  EXPECT_THAT(problems("backend: usb\nusb_serial: A50285BI\npath: /dev/ttyACM0\n"),
              ElementsAre("rack.yaml:3:7: give only one of 'device_id', 'usb_serial' and 'path'"));
}

TEST(UsbParams, BadValuesAreReportedWhereTheyAre) {
  EXPECT_THAT(problems("backend: usb\ndevice_id: e00f\nbaud: fast\nvid: 0x2b04\n"),
              ElementsAre("rack.yaml:2:12: 'device_id' must be 24 hex characters, found 'e00f'",
                          "rack.yaml:3:7: 'baud' must be a whole number, found 'fast'",
                          "rack.yaml:4:1: unknown field 'vid' in usb serial backend"));
}

// ---- the port: found by identity, reattached wherever it comes back ----

class UsbPortTest : public ::testing::Test {
 protected:
  std::unique_ptr<SerialPort> open_port(UsbSettings settings) {
    auto port =
        make_usb_port(*clock_, std::move(settings), [this] { return UsbPortListing{.ports = plugged_}; });
    port->open(got_.listener());
    return port;
  }
  bool attached(int times) {
    return run_until(*clock_, [&] { return got_.attaches() >= times && got_.links.back().attached; });
  }

  std::unique_ptr<Clock> clock_ = make_steady_clock();
  std::vector<UsbSerialPortInfo> plugged_;  // what the fake libserialport lists
  Received got_;
};

TEST_F(UsbPortTest, FollowsTheDeviceIdWhenThePortComesBackUnderAnotherName) {
  auto first = std::make_unique<Pty>();
  plugged_ = {ftdi_adapter(), argon(first->path(), "E00FCE68A1B2C3D4E5F60718")};
  auto port = open_port({.key = std::string(kArgonId)});
  ASSERT_TRUE(attached(1));
  EXPECT_EQ(got_.links.back().detail, first->path());
  first->write("0000000652 [system] INFO: before reset\r\n");
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.bytes.size() >= 40; }));

  // Reset: the port vanishes (and is no longer listed), then the device re-enumerates under a name
  // that already existed while it was away.
  Pty second;
  ASSERT_NE(second.path(), first->path());
  plugged_ = {ftdi_adapter()};
  first->hang_up();
  ASSERT_TRUE(run_until(*clock_, [&] { return !got_.links.back().attached; }));
  EXPECT_THAT(got_.links.back().detail, HasSubstr("hung up"));
  run_for(*clock_, 300ms);  // several attempts while the device is away: none attaches, none crashes
  EXPECT_EQ(got_.attaches(), 1);

  plugged_ = {ftdi_adapter(), argon(second.path())};
  ASSERT_TRUE(attached(2));
  EXPECT_EQ(got_.links.back().detail, second.path());
  second.write("0000000010 [system] INFO: after reset\r\n");
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.bytes.find("after reset\r\n") != std::string::npos; }));
  EXPECT_THAT(got_.bytes, StartsWith("0000000652 [system] INFO: before reset\r\n"));
}

TEST_F(UsbPortTest, ADeviceListedUnderAnotherPortWhileTheOldOneStaysOpenIsFollowed) {
  Pty first(true);
  Pty second(true);
  plugged_ = {argon(first.path())};
  auto port = open_port({.key = std::string(kArgonId)});
  ASSERT_TRUE(attached(1));
  first.write("0000000652 [system] INFO: on the first port\r\n");
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.bytes.ends_with("first port\r\n"); }));

  // libserialport now finds the device elsewhere; the first port neither hangs up nor says more.
  plugged_ = {argon(second.path())};
  second.write("0000000700 [system] INFO: on the second port\r\n");
  const auto moved = std::chrono::steady_clock::now();
  ASSERT_TRUE(attached(2));
  EXPECT_LE(std::chrono::steady_clock::now() - moved, 1s);
  EXPECT_EQ(got_.links[1].detail, fmt::format("port moved: device {} is now at {}", kArgonId, second.path()));
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.bytes.ends_with("second port\r\n"); }));
  EXPECT_EQ(
      got_.bytes,
      "0000000652 [system] INFO: on the first port\r\n0000000700 [system] INFO: on the second port\r\n");
}

TEST_F(UsbPortTest, AnAbsentDeviceOrPathIsWaitedForNotAnError) {
  auto by_id = open_port({.key = "e00fce68a1b2c3d4e5f6071a"});
  Received by_path_got;
  auto by_path =
      make_usb_port(*clock_, {.find_by = UsbSettings::FindBy::path, .key = "/dev/cyanrig-no-such-port"});
  by_path->open(by_path_got.listener());
  run_for(*clock_, 500ms);
  // Waited for, not a fault: one detached report each, with why, and no more.
  ASSERT_EQ(got_.links.size(), 1U);
  EXPECT_FALSE(got_.links[0].attached);
  ASSERT_EQ(by_path_got.links.size(), 1U);
  EXPECT_FALSE(by_path_got.links[0].attached);
  EXPECT_THAT(by_path_got.links[0].detail, HasSubstr("/dev/cyanrig-no-such-port"));
  by_id->close();
  by_path->close();
}

TEST(UsbPortDescribe, NamesTheIdentityAndRate) {
  auto clock = make_steady_clock();
  EXPECT_EQ(make_usb_port(*clock, {.key = std::string(kArgonId)})->describe(),
            "usb device e00fce68a1b2c3d4e5f60718 (115200 baud)");
}

// ---- DFU / listening mode nudge ----

TEST(NudgeBaud, OpensThePortAtTheRateThatAsksForTheMode) {
  Pty device;
  // Held open so the pty keeps its settings between the nudges, as a USB port keeps them.
  const FileDescriptor held(::open(device.path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(held);
  EXPECT_TRUE(nudge_baud(device.path(), kDfuModeBaud).ok());
  EXPECT_EQ(tty_baud(held.get()), 14400U);
  EXPECT_TRUE(nudge_baud(device.path(), kListeningModeBaud).ok());
  EXPECT_EQ(tty_baud(held.get()), 28800U);
}

TEST(NudgeBaud, AMissingPortIsAFaultNamingIt) {
  const Status status = nudge_baud("/dev/cyanrig-no-such-port", kDfuModeBaud);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "cannot open /dev/cyanrig-no-such-port: No such file or directory");
}

}  // namespace
}  // namespace cyanrig::testing
