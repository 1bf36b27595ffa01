#include "drivers/history/sqlite/sqlite_database.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <system_error>

#include "rig/core/overloaded.hpp"

namespace cyanrig {

namespace {

// Owners of the C handles: released however the statement or connection ends.
struct ConnectionDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionDeleter>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

class SqliteDatabase final : public SqlDatabase {
 public:
  explicit SqliteDatabase(const std::filesystem::path& path)
      : SqlDatabase(SqlDialect::sqlite, path.string()) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw HistoryError(fmt::format("history {}: cannot create its folder: {}", where(), ec.message()));
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
      throw HistoryError(fmt::format("history {}: cannot open: {}", where(),
                                     raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db_.get(), 30'000);
    query("PRAGMA foreign_keys = ON");
    query("PRAGMA journal_mode = WAL");  // readers (report, history list) never block a recording rig
  }

  std::vector<SqlRow> run(std::string_view sql, const SqlParams& params) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
      fail(sql);
    Statement statement(raw);
    for (std::size_t i = 0; i < params.size(); ++i) bind(statement.get(), sql, i + 1, params[i]);
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(statement.get());
      if (rc == SQLITE_DONE) return rows;
      if (rc != SQLITE_ROW) fail(sql);
      SqlRow row;
      const int columns = sqlite3_column_count(statement.get());
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(statement.get(), c) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), c)));
        }
      }
      rows.push_back(std::move(row));
    }
  }

  void transaction(const std::function<void()>& work, bool exclusive) override {
    query(exclusive ? "BEGIN IMMEDIATE" : "BEGIN");
    try {
      work();
    } catch (...) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    query("COMMIT");
  }

 private:
  // Parameters are written $1, $2, ... as PostgreSQL wants them; SQLite takes them as named
  // parameters, so each is bound by its name (wherever it first appears in the statement).
  void bind(sqlite3_stmt* s, std::string_view sql, std::size_t number, const SqlParam& param) {
    const int index = sqlite3_bind_parameter_index(s, fmt::format("${}", number).c_str());
    if (index == 0) return;  // a parameter the statement does not use
    const int rc = std::visit(Overloaded{
                                  [&](std::nullptr_t) { return sqlite3_bind_null(s, index); },
                                  [&](std::int64_t v) { return sqlite3_bind_int64(s, index, v); },
                                  [&](double v) { return sqlite3_bind_double(s, index, v); },
                                  [&](const std::string& v) {
                                    return sqlite3_bind_text(s, index, v.data(), static_cast<int>(v.size()),
                                                             SQLITE_TRANSIENT);
                                  },
                              },
                              param);
    if (rc != SQLITE_OK) fail(sql);
  }

  [[noreturn]] void fail(std::string_view sql) {
    throw HistoryError(
        fmt::format("history {}: {} (in: {})", where(), sqlite3_errmsg(db_.get()), sql_excerpt(sql)));
  }

  Connection db_;
};

}  // namespace

std::unique_ptr<SqlDatabase> open_sqlite_history(const std::filesystem::path& path) {
  return std::make_unique<SqliteDatabase>(path);
}

}  // namespace cyanrig
