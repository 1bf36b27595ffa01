// The Particle access token and the rack's `secret_env` variables stay with the rig: every command a
// rack runs (power and outage commands) gets the environment without them, unless its backend passes
// one on by name (`pass_env`, never the token); and a token with CR/LF is refused (exit 3) before any
// request, so it cannot inject a header. Through the binary users run, with commands that dump their
// environment and a loopback listener standing where the cloud would be.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "drivers/posix/file_descriptor.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using cyanrig::test::file_text;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kToken = "0123456789abcdef0123456789abcdef01234567";

struct Ran {
  int code = -1;
  std::string said;  // stdout and stderr: a run reports a failed device on stdout
};

class Secrets : public ::testing::Test {
 protected:
  // `cyanrig ARGS` with `environment` (NAME=value ...) added, interrupted (SIGINT) after `limit`.
  Ran cyanrig(const std::string& args, const std::vector<std::string>& environment, int limit_seconds = 60) {
    std::string command = fmt::format("timeout -s INT {} env", limit_seconds);
    for (const std::string& e : environment) command += " '" + e + "'";
    command += fmt::format(" {} {} >{} 2>&1", CYANRIG_BINARY, args, (dir_.path() / "said").string());
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, file_text(dir_.path() / "said")};
  }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
    return dir_.path() / name;
  }

  cyanrig::test::TempDir dir_{"cyanrig-secrets-test"};
};

TEST_F(Secrets, CommandsTheRackRunsGetNeitherTheTokenNorTheRacksSecrets) {
  const std::string d = dir_.path().string();
  const fs::path rack = write("lab.yaml", fmt::format(R"(rack: lab
safe_power: off
lock_dir: {0}/locks
secret_env: [SMARTPLUG_KEY, PDU_PASSWORD]
segments:
  - name: lab
    outage: {{backend: command, do: 'env > {0}/outage-do.env', undo: 'env > {0}/outage-undo.env'}}
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    segment: lab
    power: {{backend: command, on: 'env > {0}/argon-1.env', off: 'true'}}
  - name: argon-2
    id: e00fce68aabbccddeeff0002
    platform: argon
    power: {{backend: command, on: 'env > {0}/argon-2.env', off: 'true', pass_env: [SMARTPLUG_KEY]}}
)",
                                                      d));
  const std::vector<std::string> environment{std::string("PARTICLE_ACCESS_TOKEN=") + kToken,
                                             "SMARTPLUG_KEY=plug-4567", "PDU_PASSWORD=pdu-8901",
                                             "LAB_SITE=bench-3"};
  for (const std::string device : {"argon-1", "argon-2"}) {
    const Ran on = cyanrig("power on " + device + " --rack " + rack.string(), environment);
    ASSERT_EQ(on.code, 0) << on.said;
  }
  const Ran clear = cyanrig("outage clear --rack " + rack.string(), environment);
  ASSERT_EQ(clear.code, 0) << clear.said;

  for (const std::string file : {"argon-1.env", "argon-2.env", "outage-undo.env"}) {
    const std::string seen = file_text(dir_.path() / file);
    ASSERT_THAT(seen, HasSubstr("LAB_SITE=bench-3\n"))
        << file << ": the rest of the environment is passed on";
    EXPECT_THAT(seen, Not(HasSubstr("PARTICLE_ACCESS_TOKEN"))) << file;
    EXPECT_THAT(seen, Not(HasSubstr(kToken))) << file;
    EXPECT_THAT(seen, Not(HasSubstr("pdu-8901"))) << file;
  }
  EXPECT_THAT(file_text(dir_.path() / "argon-1.env"), Not(HasSubstr("plug-4567")));
  EXPECT_THAT(file_text(dir_.path() / "argon-1.env"), HasSubstr("CYANRIG_DEVICE=argon-1\n"));
  EXPECT_THAT(file_text(dir_.path() / "outage-undo.env"), Not(HasSubstr("plug-4567")));
  EXPECT_THAT(file_text(dir_.path() / "argon-2.env"), HasSubstr("SMARTPLUG_KEY=plug-4567\n"))
      << "passed on by name to the one backend that needs it";
}

TEST_F(Secrets, NoBackendMayPassTheToken) {
  const fs::path rack = write("lab.yaml", R"(rack: lab
safe_power: off
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    power: {backend: command, on: 'true', off: 'true', pass_env: [PARTICLE_ACCESS_TOKEN]}
)");
  const Ran validate = cyanrig("validate " + rack.string(), {});
  EXPECT_EQ(validate.code, 2);
  EXPECT_THAT(validate.said, HasSubstr(rack.string() + ":7:66: "));
  EXPECT_THAT(validate.said, HasSubstr("PARTICLE_ACCESS_TOKEN is never passed to a command"));
}

// A listening socket where the cloud would be: how many connections reached it.
class Listener {
 public:
  Listener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 || ::listen(fd_.get(), 8) != 0)
      throw std::runtime_error(fmt::format("cannot listen on the loopback: errno {}", errno));
    socklen_t size = sizeof at;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&at), &size);
    port_ = ntohs(at.sin_port);
  }
  int port() const { return port_; }
  int connections() {
    int n = 0;
    for (int c; (c = ::accept(fd_.get(), nullptr, nullptr)) >= 0; ++n) ::close(c);
    return n;
  }

 private:
  cyanrig::FileDescriptor fd_;  // closed even when the constructor throws
  int port_ = 0;
};

TEST_F(Secrets, ATokenWithCrLfIsRefusedBeforeAnyRequest) {
  Listener cloud;
  const fs::path rack = write("lab.yaml", fmt::format(R"(rack: lab
safe_power: off
lock_dir: {}/locks
cloud: {{backend: particle, url: "http://127.0.0.1:{}"}}
devices:
  - {{name: argon-1, id: e00fce68aabbccddeeff0001, platform: argon}}
)",
                                                      dir_.path().string(), cloud.port()));
  const fs::path scenario = write("online.yaml", R"(scenario: online
devices: all
steps:
  - expect: {cloud: online, within: 5s, from: step_start}
)");
  const std::string injected = fmt::format("{}\r\nX-Injected: yes", kToken);
  const Ran run =
      cyanrig(fmt::format("run {} --rack {} --no-results --progress plain", scenario.string(), rack.string()),
              {"PARTICLE_ACCESS_TOKEN=" + injected});
  EXPECT_EQ(run.code, 3) << run.said;
  EXPECT_THAT(
      run.said,
      HasSubstr("the Particle access token from PARTICLE_ACCESS_TOKEN contains a carriage return (CR) "
                "at character 41"));
  EXPECT_THAT(run.said, Not(HasSubstr("X-Injected"))) << "the token is never echoed";
  EXPECT_THAT(run.said, Not(HasSubstr(kToken)));
  EXPECT_EQ(cloud.connections(), 0) << "nothing was sent";

  // The same token without the injection is used: the listener is reached.
  const Ran clean =
      cyanrig(fmt::format("run {} --rack {} --no-results --progress plain", scenario.string(), rack.string()),
              {fmt::format("PARTICLE_ACCESS_TOKEN={}", kToken)}, 5);
  EXPECT_NE(clean.code, 0) << "nothing answers there";
  EXPECT_GT(cloud.connections(), 0) << "a clean token does reach the (stand-in) cloud:\n" << clean.said;
}

}  // namespace
