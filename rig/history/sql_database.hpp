// The history's view of a SQL database: parameterised statements, text results, transactions. Two
// backends implement it (drivers/history/sqlite, drivers/history/postgresql); the history's schema,
// migrations and queries are written once against it, in the SQL both understand, with $1, $2, ...
// for parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cyanrig {

// A database that cannot be opened, read or written; the message names the database and the cause.
class HistoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A statement parameter: NULL, an integer, a number or text.
using SqlParam = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using SqlParams = std::vector<SqlParam>;
// One result row: each column as text (numbers in their text form), empty when NULL.
using SqlRow = std::vector<std::optional<std::string>>;

SqlParam sql_text_or_null(const std::string& text);
SqlParam sql_number_or_null(const std::optional<double>& value);

// The start of a statement on one line, for error messages.
std::string sql_excerpt(std::string_view sql);

enum class SqlDialect { sqlite, postgresql };

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  SqlDialect dialect() const { return dialect_; }
  // The database for messages: a file path, or a PostgreSQL URL without its password.
  const std::string& where() const { return where_; }

  // Runs one statement and returns its rows. Throws HistoryError naming the database, the cause and
  // the statement's first words.
  std::vector<SqlRow> query(std::string_view sql, const SqlParams& params = {}) { return run(sql, params); }
  // Runs `work` in one transaction: committed when it returns, rolled back when it throws. With
  // `exclusive`, other writers (another rig on the same database) wait until it ends: migrations and
  // recording a run use it.
  virtual void transaction(const std::function<void()>& work, bool exclusive) = 0;

 protected:
  SqlDatabase(SqlDialect dialect, std::string where) : dialect_(dialect), where_(std::move(where)) {}

 private:
  virtual std::vector<SqlRow> run(std::string_view sql, const SqlParams& params) = 0;

  SqlDialect dialect_;
  std::string where_;
};

}  // namespace cyanrig
