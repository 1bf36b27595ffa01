#include "rig/devos/log_capture.hpp"

#include <istream>
#include <ostream>
#include <vector>

#include "rig/serial/line_framer.hpp"

namespace cyanrig {
namespace {

// A file has no idle gaps and no reason to cut lines for memory's sake; the cap only guards
// against a file with no line endings at all. A longer line is one line all the same: its first
// megabyte is what the parser sees, the rest is skipped.
constexpr std::size_t kMaxFileLine = std::size_t{1} << 20;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

class EventWriter {
 public:
  EventWriter(std::ostream& out, const DevosLogParser& parser) : out_(out), parser_(parser) {}

  void write(const SerialLine& line) {
    if (line.continued) return;  // the rest of an over-long line: neither a line nor a message
    ++line_number_;
    const auto event = parser_.parse(line.text);
    if (!event) return;
    // ordered_json keeps "line", "device_ms", "event" first, where a reader looks for them.
    nlohmann::ordered_json record;
    record["line"] = line_number_;
    if (event->device_ms) record["device_ms"] = *event->device_ms;
    record["event"] = event->name;
    for (const auto& [key, value] : event->fields.items()) record[key] = value;
    out_ << record.dump() << '\n';
  }

 private:
  std::ostream& out_;
  const DevosLogParser& parser_;
  std::uint64_t line_number_ = 0;
};

}  // namespace

void parse_log_stream(std::istream& in, std::ostream& out, const DevosLogParser& parser) {
  LineFramer framer(LineFramer::Options{kMaxFileLine, Duration::max()});
  EventWriter writer(out, parser);
  std::vector<char> chunk(kReadChunk);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto count = static_cast<std::size_t>(in.gcount());
    if (count == 0) break;
    for (const SerialLine& line : framer.feed(run_start(), std::string_view(chunk.data(), count))) {
      writer.write(line);
    }
  }
  if (const auto last = framer.flush()) writer.write(*last);
}

}  // namespace cyanrig
