// The tcp serial backend against a loopback serial server run by the test on the same loop.
#include "drivers/serial/tcp/tcp_port.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "serial_test_support.hpp"

namespace cyanrig::testing {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;

// A ser2net-style server on 127.0.0.1: one connection at a time, raw bytes.
class LoopbackServer {
 public:
  explicit LoopbackServer(boost::asio::io_context& io) : acceptor_(io) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::address_v4::loopback(), 0});
    port_ = acceptor_.local_endpoint().port();
  }
  std::uint16_t port() const { return port_; }

  // Until listen(), the port is taken but refuses connections, like a server not yet started.
  void listen() {
    if (!acceptor_.is_open()) {
      acceptor_.open(tcp::v4());
      acceptor_.set_option(tcp::acceptor::reuse_address(true));
      acceptor_.bind({boost::asio::ip::address_v4::loopback(), port_});
    }
    acceptor_.listen();
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (!ec) client_ = std::move(socket);
    });
  }
  bool connected() const { return client_.has_value(); }
  void send(std::string_view bytes) { boost::asio::write(*client_, boost::asio::buffer(bytes)); }
  // The server goes away: the connection and the listening socket both close.
  void stop() {
    client_.reset();
    acceptor_.close();
  }

 private:
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::optional<tcp::socket> client_;
};

class TcpPortTest : public ::testing::Test {
 protected:
  std::unique_ptr<SerialPort> open_port(Duration reconnect = 50ms) {
    auto port = make_tcp_port(*clock_, {.host = "127.0.0.1", .port = server_.port(), .reconnect = reconnect});
    port->open(got_.listener());
    return port;
  }
  bool linked(std::size_t changes) {
    return run_until(*clock_, [&] { return got_.links.size() >= changes && server_.connected(); });
  }
  bool received(std::size_t size) {
    return run_until(*clock_, [&] { return got_.bytes.size() >= size; });
  }
  std::string endpoint() const { return fmt::format("127.0.0.1:{}", server_.port()); }

  std::unique_ptr<Clock> clock_ = make_steady_clock();
  LoopbackServer server_{clock_->io()};
  Received got_;
};

TEST_F(TcpPortTest, BytesFromTheSerialServerArrive) {
  server_.listen();
  auto port = open_port();
  ASSERT_TRUE(linked(1));
  EXPECT_TRUE(got_.links[0].attached);
  EXPECT_EQ(got_.links[0].detail, endpoint());

  const std::string line = "0000000652 [system] INFO: Device e00fce68123456789abcdef started\r\n";
  server_.send(line);
  ASSERT_TRUE(received(line.size()));
  EXPECT_EQ(got_.bytes, line);
}

TEST_F(TcpPortTest, TheServerClosingDetachesAndItsReturnReattaches) {
  server_.listen();
  auto port = open_port();
  ASSERT_TRUE(linked(1));
  server_.send("0000001000 [app] INFO: before\r\n");
  ASSERT_TRUE(received(31));

  server_.stop();
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.links.size() == 2; }));
  EXPECT_FALSE(got_.links[1].attached);
  EXPECT_EQ(got_.links[1].detail, "connection closed by the serial server");
  run_for(*clock_, 200ms);  // several refused attempts: none is reported
  EXPECT_EQ(got_.links.size(), 2U);

  server_.listen();
  ASSERT_TRUE(linked(3));
  EXPECT_TRUE(got_.links[2].attached);
  server_.send("0000000005 [app] INFO: after\r\n");
  ASSERT_TRUE(received(31 + 30));
  EXPECT_EQ(got_.bytes, "0000001000 [app] INFO: before\r\n0000000005 [app] INFO: after\r\n");
}

TEST_F(TcpPortTest, AServerNotYetListeningIsReachedWhenItStarts) {
  auto port = open_port();
  run_for(*clock_, 300ms);
  // Said once, with why, so a run can name the port when the device never shows up; not repeated.
  ASSERT_EQ(got_.links.size(), 1U);
  EXPECT_FALSE(got_.links[0].attached);
  EXPECT_THAT(got_.links[0].detail, ::testing::HasSubstr("Connection refused"));

  server_.listen();
  ASSERT_TRUE(linked(2));
  EXPECT_TRUE(got_.links[1].attached);
}

TEST_F(TcpPortTest, CloseStopsEveryCallback) {
  server_.listen();
  auto port = open_port();
  ASSERT_TRUE(linked(1));
  port->close();
  port->close();
  server_.send("unheard");
  server_.stop();
  run_for(*clock_, 300ms);
  EXPECT_EQ(got_.bytes, "");
  EXPECT_EQ(got_.links.size(), 1U);
}

TEST_F(TcpPortTest, DestroyingAPortAsItConnectsLeavesNothingRunningOnTheLoop) {
  server_.listen();
  auto port = open_port();
  // The server has accepted: the port's own connect has completed or is about to.
  ASSERT_TRUE(run_until(*clock_, [&] { return server_.connected(); }));
  const std::size_t links = got_.links.size();
  port.reset();
  server_.send("unheard");
  run_for(*clock_, 100ms);
  EXPECT_EQ(got_.links.size(), links);
  EXPECT_EQ(got_.bytes, "");
}

}  // namespace
}  // namespace cyanrig::testing
