// A real PostgreSQL server for the history's tests: initdb in a temporary folder, listening only on a
// Unix socket in that folder, stopped and removed at scope exit. PostgreSQL refuses to run as root, so
// as root (CI) the server runs as `nobody`. When it cannot start (no server installed), `skip_reason`
// says why and the tests skip with it.
#pragma once

#include <filesystem>
#include <string>

namespace cyanrig::test {

class PostgresServer {
 public:
  PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer();

  bool running() const { return skip_reason_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  // A URL for database `name` (created by create_database), user cyanrig, over the socket.
  std::string url(const std::string& name) const;
  // A fresh, empty database.
  std::string create_database(const std::string& name);

 private:
  int run(const std::string& command) const;

  std::filesystem::path dir_;
  std::filesystem::path bin_;
  std::string as_user_;  // "runuser -u nobody -- " as root, empty otherwise
  std::string skip_reason_;
  bool started_ = false;
};

}  // namespace cyanrig::test
