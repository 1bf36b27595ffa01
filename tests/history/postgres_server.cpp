#include "tests/history/postgres_server.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "drivers/history/postgresql/postgresql_database.hpp"

namespace cyanrig::test {

namespace fs = std::filesystem;

namespace {

// Debian installs the server's programs under /usr/lib/postgresql/<major>/bin; the newest wins.
fs::path server_bin() {
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "initdb") && entry.path() > best.parent_path())
      best = entry.path() / "bin";
  }
  return best;
}

}  // namespace

PostgresServer::PostgresServer() {
  bin_ = server_bin();
  if (bin_.empty()) {
    skip_reason_ =
        "no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)";
    return;
  }
  std::string name = "/tmp/cyanrig-pg-XXXXXX";  // short: a Unix socket path has at most 107 bytes
  if (::mkdtemp(name.data()) == nullptr) {
    skip_reason_ = "mkdtemp failed";
    return;
  }
  dir_ = name;
  if (::geteuid() == 0) {
    as_user_ = "runuser -u nobody -- ";
    if (run(fmt::format("chown nobody {}", dir_.string())) != 0) {
      skip_reason_ = "cannot hand the server's folder to user nobody";
      return;
    }
  }
  if (run(fmt::format(
          "cd {0} && {1}{2}/initdb -D {0}/data -U cyanrig -A trust --no-sync >{0}/initdb.log 2>&1",
          dir_.string(), as_user_, bin_.string())) != 0) {
    skip_reason_ = fmt::format("initdb failed (see {}/initdb.log)", dir_.string());
    return;
  }
  if (run(fmt::format("cd {0} && {1}{2}/pg_ctl -D {0}/data -l {0}/server.log -w -t 60 -o \"-k {0} -c "
                      "listen_addresses='' -c fsync=off\" start >/dev/null 2>&1",
                      dir_.string(), as_user_, bin_.string())) != 0) {
    skip_reason_ = fmt::format("the server did not start (see {}/server.log)", dir_.string());
    return;
  }
  started_ = true;
}

PostgresServer::~PostgresServer() {
  if (started_) {
    run(fmt::format("cd {0} && {1}{2}/pg_ctl -D {0}/data -m immediate -w stop >/dev/null 2>&1", dir_.string(),
                    as_user_, bin_.string()));
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

int PostgresServer::run(const std::string& command) const {
  return std::system(command.c_str());
}

std::string PostgresServer::url(const std::string& name) const {
  return fmt::format("postgresql:///{}?host={}&user=cyanrig", name, dir_.string());
}

std::string PostgresServer::create_database(const std::string& name) {
  auto admin = open_postgresql_history(url("postgres"));
  admin->query("DROP DATABASE IF EXISTS " + name);
  admin->query("CREATE DATABASE " + name);
  return url(name);
}

}  // namespace cyanrig::test
