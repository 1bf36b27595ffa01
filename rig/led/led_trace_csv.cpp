#include "rig/led/led_trace_csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

namespace cyanrig {
namespace {

// The longest trace time cyanrig takes, in ms: about 31 years, far inside the run clock's range.
constexpr double kMaxTraceMs = 1e12;

// A trace has thousands of rows: past this many problems the rest are counted, not listed, so a
// shuffled or wrong file gets a screenful instead of a line per row.
constexpr std::size_t kMaxListedProblems = 20;

// The problems of a trace: the first kMaxListedProblems in full, then a count.
class Problems {
 public:
  explicit Problems(Diagnostics& diags) : diags_(diags) {}
  void error(SourceLoc loc, std::string message, bool backwards = false) {
    if (backwards) ++backwards_;
    if (listed_ < kMaxListedProblems) {
      ++listed_;
      diags_.error(std::move(loc), std::move(message));
    } else if (unlisted_++ == 0) {
      first_unlisted_ = std::move(loc);
    }
  }
  bool any() const { return listed_ > 0; }
  // Adds the count of what was not listed, if anything was not.
  void summarise() {
    if (unlisted_ == 0) return;
    diags_.error(
        first_unlisted_,
        fmt::format("and {} more problem{} from here on, not listed{}", unlisted_, unlisted_ == 1 ? "" : "s",
                    backwards_ > 1
                        ? fmt::format(" ({} rows go back in time: are the rows sorted by t_ms?)", backwards_)
                        : ""));
  }

 private:
  Diagnostics& diags_;
  std::size_t listed_ = 0;
  std::size_t unlisted_ = 0;
  std::size_t backwards_ = 0;
  SourceLoc first_unlisted_;
};

struct Field {
  std::string_view text;  // trimmed
  int column;             // 1-based position of the text in its line
};

std::vector<Field> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = std::min(line.find(',', begin), line.size());
    std::size_t first = begin;
    std::size_t last = comma;
    while (first < last && (line[first] == ' ' || line[first] == '\t')) ++first;
    while (last > first && (line[last - 1] == ' ' || line[last - 1] == '\t')) --last;
    fields.push_back({line.substr(first, last - first), static_cast<int>(first) + 1});
    if (comma == line.size()) return fields;
    begin = comma + 1;
  }
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Where each value sits in a row: column index of r, g, b and (when present) c.
struct Layout {
  std::size_t columns = 0;
  std::array<int, 4> index{-1, -1, -1, -1};  // r, g, b, c
};

std::optional<Layout> read_header(std::string_view line, const SourceLoc& at, Diagnostics& diags) {
  const std::vector<Field> fields = split_fields(line);
  const std::size_t errors_before = diags.size();
  auto error = [&](int column, std::string message) {
    diags.error({at.file, at.line, column}, std::move(message));
  };
  if (fields.front().text != "t_ms") {
    error(fields.front().column,
          fmt::format("the header must start with t_ms, found '{}'", fields.front().text));
  }
  Layout layout;
  layout.columns = fields.size();
  static constexpr std::array<std::string_view, 4> kNames{"r", "g", "b", "c"};
  for (std::size_t i = 1; i < fields.size(); ++i) {
    const auto* name = std::find(kNames.begin(), kNames.end(), fields[i].text);
    if (name == kNames.end()) {
      error(fields[i].column,
            fmt::format("unknown column '{}' (expected r, g, b and optionally c)", fields[i].text));
      continue;
    }
    int& slot = layout.index[static_cast<std::size_t>(name - kNames.begin())];
    if (slot >= 0) error(fields[i].column, fmt::format("column '{}' appears twice", fields[i].text));
    slot = static_cast<int>(i);
  }
  for (std::size_t channel = 0; channel < 3; ++channel) {
    if (layout.index[channel] < 0) error(1, fmt::format("the header has no '{}' column", kNames[channel]));
  }
  if (diags.size() != errors_before) return std::nullopt;
  return layout;
}

std::optional<double> parse_number(const Field& field) {
  double value = 0;
  const char* end = field.text.data() + field.text.size();
  const auto [ptr, ec] = std::from_chars(field.text.data(), end, value);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// One data row into `out`, or its problems.
void read_row(std::string_view line, const Layout& layout, const SourceLoc& at,
              std::optional<double>& last_ms, std::vector<RgbSample>& out, Problems& problems) {
  const std::vector<Field> fields = split_fields(line);
  if (fields.size() != layout.columns) {
    problems.error({at.file, at.line, 1}, fmt::format("expected {} values as in the header, found {}",
                                                      layout.columns, fields.size()));
    return;
  }
  std::vector<double> values(fields.size());
  bool ok = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::optional<double> v = parse_number(fields[i]);
    if (!v) {
      problems.error({at.file, at.line, fields[i].column},
                     fmt::format("'{}' is not a number", fields[i].text));
      ok = false;
      continue;
    }
    // Values go to the decoder as floats, times onto the run clock's microseconds: both must fit.
    const double limit = i == 0 ? kMaxTraceMs : std::numeric_limits<float>::max();
    if (std::abs(*v) > limit) {
      problems.error({at.file, at.line, fields[i].column},
                     fmt::format("'{}' is out of range ({} at most {:g})", fields[i].text,
                                 i == 0 ? "t_ms is" : "a sensor value is", limit));
      ok = false;
      continue;
    }
    values[i] = *v;
  }
  if (!ok) return;
  const double t_ms = values[0];
  if (last_ms && t_ms < *last_ms) {
    problems.error({at.file, at.line, fields[0].column},
                   fmt::format("time goes backwards: t_ms {} after {}", fields[0].text, *last_ms), true);
    return;
  }
  last_ms = t_ms;
  auto value_of = [&](std::size_t channel) {
    const int index = layout.index[channel];
    return index < 0 ? -1.0F : static_cast<float>(values[static_cast<std::size_t>(index)]);
  };
  const Instant t = run_start() + Duration{std::llround(t_ms * 1000.0)};
  out.push_back({t, value_of(0), value_of(1), value_of(2), value_of(3)});
}

}  // namespace

std::optional<std::vector<RgbSample>> parse_led_trace_csv(std::istream& in, const std::string& file,
                                                          Diagnostics& diags) {
  std::vector<RgbSample> samples;
  std::optional<Layout> layout;
  std::optional<double> last_ms;
  Problems problems(diags);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    const SourceLoc at{file, number, 0};
    if (!layout) {
      layout = read_header(line, at, diags);
      if (!layout) return std::nullopt;  // rows cannot be read without knowing the columns
      continue;
    }
    read_row(line, *layout, at, last_ms, samples, problems);
  }
  if (!layout) {
    diags.error({file, 1, 1}, "empty trace: expected the header t_ms,r,g,b");
    return std::nullopt;
  }
  problems.summarise();
  if (problems.any()) return std::nullopt;
  return samples;
}

std::optional<std::vector<RgbSample>> read_led_trace_csv(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path);
  if (!in) {
    diags.error({path, 0, 0}, "cannot open the trace file");
    return std::nullopt;
  }
  return parse_led_trace_csv(in, path, diags);
}

std::string led_state_json_line(const LedStateChange& state, Instant end) {
  auto whole_ms = [](Instant t) { return std::llround(ms_since_start(t)); };
  auto rounded = [](float v) { return std::round(static_cast<double>(v) * 1000.0) / 1000.0; };
  nlohmann::ordered_json line;
  line["start_ms"] = whole_ms(state.start);
  line["end_ms"] = whole_ms(end);
  line["state"] = state.state;
  if (state.code) line["code"] = *state.code;
  if (state.colour) line["color"] = *state.colour;
  if (state.count) line["count"] = *state.count;
  if (state.rgb) line["rgb"] = {rounded(state.rgb->r), rounded(state.rgb->g), rounded(state.rgb->b)};
  if (state.period) line["period_ms"] = std::llround(to_ms(*state.period));
  return line.dump();
}

}  // namespace cyanrig
