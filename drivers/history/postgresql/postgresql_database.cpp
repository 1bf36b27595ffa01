#include "drivers/history/postgresql/postgresql_database.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "rig/core/overloaded.hpp"
#include "rig/core/text.hpp"
#include "rig/history/history_location.hpp"

namespace cyanrig {

namespace {

struct ConnectionDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Connection = std::unique_ptr<PGconn, ConnectionDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Any number: one key every rig uses to take turns at migrating and recording.
constexpr long long kHistoryLockKey = 0x6379616e726967;  // "cyanrig"

std::string param_text(const SqlParam& param) {
  return std::visit(Overloaded{
                        [](std::nullptr_t) { return std::string(); },
                        [](std::int64_t v) { return std::to_string(v); },
                        [](double v) { return fmt::format("{}", v); },
                        [](const std::string& v) { return v; },
                    },
                    param);
}

class PostgresqlDatabase final : public SqlDatabase {
 public:
  explicit PostgresqlDatabase(const std::string& url)
      : SqlDatabase(SqlDialect::postgresql, without_password(url)) {
    connection_.reset(PQconnectdb(url.c_str()));
    if (!connection_ || PQstatus(connection_.get()) != CONNECTION_OK) {
      throw HistoryError(fmt::format("history {}: cannot connect: {}", where(), reason()));
    }
    // "relation already exists, skipping" and the like are not worth the user's attention.
    PQsetNoticeProcessor(
        connection_.get(), [](void*, const char* message) { spdlog::debug("history: {}", trim(message)); },
        nullptr);
  }

  std::vector<SqlRow> run(std::string_view sql, const SqlParams& params) override {
    std::vector<std::string> texts;
    texts.reserve(params.size());
    std::vector<const char*> values;
    for (const SqlParam& p : params) {
      texts.push_back(param_text(p));
      values.push_back(std::holds_alternative<std::nullptr_t>(p) ? nullptr : texts.back().c_str());
    }
    const std::string statement(sql);
    Result result(PQexecParams(connection_.get(), statement.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw HistoryError(
          fmt::format("history {}: {} (in: {})", where(), reason(result.get()), sql_excerpt(sql)));
    }
    std::vector<SqlRow> rows;
    const int columns = PQnfields(result.get());
    for (int r = 0; r < PQntuples(result.get()); ++r) {
      SqlRow row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.emplace_back();
        } else {
          row.emplace_back(PQgetvalue(result.get(), r, c));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void transaction(const std::function<void()>& work, bool exclusive) override {
    query("BEGIN");
    try {
      if (exclusive) query("SELECT pg_advisory_xact_lock($1)", {std::int64_t{kHistoryLockKey}});
      work();
    } catch (...) {
      // Best effort, its result kept only to be freed: the error that got here is the one thrown.
      const Result rolled_back(PQexec(connection_.get(), "ROLLBACK"));
      throw;
    }
    query("COMMIT");
  }

 private:
  std::string reason(const PGresult* result = nullptr) const {
    const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (message == nullptr || *message == '\0') message = PQerrorMessage(connection_.get());
    return std::string(trim(message != nullptr ? message : "unknown error"));
  }

  Connection connection_;
};

}  // namespace

std::unique_ptr<SqlDatabase> open_postgresql_history(const std::string& url) {
  return std::make_unique<PostgresqlDatabase>(url);
}

}  // namespace cyanrig
