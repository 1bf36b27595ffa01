// junit.xml: the Jenkins / GitLab flavour of JUnit XML (testsuites > testsuite > testcase).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "rig/results/rounding.hpp"
#include "rig/results/writers.hpp"
#include "rig/results/xml_text.hpp"

namespace cyanrig {

namespace {

std::string attr(std::string_view text) {
  return xml_escape(text, XmlContext::attribute);
}
std::string body(std::string_view text) {
  return xml_escape(text, XmlContext::text);
}
std::string seconds_text(double seconds) {
  return fmt::format("{:.3f}", seconds < 0 ? 0.0 : seconds);
}

// What one <failure> or <error> element says.
struct Problem {
  bool error = false;  // <error>: the device was not judged (lab or scenario broke)
  std::string type;    // "<class>/<kind>"
  std::string message;
  std::string detail;
};

struct TestCase {
  std::string classname;
  std::string name;
  double seconds = 0;  // wall seconds (CI duration charts); simulated time is a property
  std::vector<Problem> problems;
  std::string skipped;  // why it was not run; empty when it ran
  std::vector<std::pair<std::string, std::string>> properties;

  bool errored() const {
    for (const Problem& p : problems) {
      if (p.error) return true;
    }
    return false;
  }
  bool failed() const { return !problems.empty() && !errored(); }
};

Problem problem_from(const Failure& f) {
  Problem p;
  p.error = f.cls != FailureClass::device;
  p.type = fmt::format("{}/{}", to_string(f.cls), f.kind);
  p.message = f.message;
  p.detail = f.message;
  if (!f.step.empty()) p.detail += fmt::format("\nstep: {}", f.step);
  if (!f.where.empty()) p.detail += fmt::format("\nwhere: {}", f.where);
  p.detail += fmt::format("\nwhen: {:.3f} s after run start", to_seconds(f.t.time_since_epoch()));
  return p;
}

std::vector<Problem> problems_from(const std::vector<Failure>& failures) {
  std::vector<Problem> problems;
  for (const Failure& f : failures) problems.push_back(problem_from(f));
  return problems;
}

TestCase case_from(const RunResult& run, const CaseResult& c) {
  TestCase t{fmt::format("{}.{}", run.scenario, c.device), fmt::format("{} repeat {}", c.device, c.repeat),
             c.wall_seconds, problems_from(c.failures)};
  t.skipped = c.skipped;
  t.properties.emplace_back("rig_seconds", fmt::format("{:.3f}", to_seconds(c.ended - c.started)));
  return t;
}

std::string criterion_name(const CriterionResult& c) {
  return fmt::format("{} {} ({})", c.measurement, c.statistic, c.scope);
}

std::string criterion_message(const CriterionResult& c) {
  const double limit = rounded(c.limit, kValueDecimals);
  if (c.count == 0) return fmt::format("{} has no samples; limit {} {}", criterion_name(c), limit, c.unit);
  std::string text =
      fmt::format("{} was {}; limit {} {}", criterion_name(c), actual_text(c, c.unit), limit, c.unit);
  if (c.failure_class && *c.failure_class != FailureClass::device) {
    text += fmt::format("; inconclusive: the missing samples' cases failed for {} reasons, not the device's",
                        to_string(*c.failure_class));
  }
  return text;
}

TestCase case_from(const RunResult& run, const CriterionResult& c) {
  TestCase t{fmt::format("{}.{}", run.scenario, c.scope), criterion_name(c), 0, {}};
  if (!c.passed) {
    const FailureClass cls = c.failure_class.value_or(FailureClass::device);
    const std::string message = criterion_message(c);
    t.problems.push_back(
        {cls != FailureClass::device, fmt::format("{}/criterion", to_string(cls)), message, message});
  }
  return t;
}

// Run failures belong to no device; they get a test case of their own so CI shows them.
TestCase rack_case_from(const RunResult& run) {
  return {fmt::format("{}.rack", run.scenario), "rack", run.wall_seconds, problems_from(run.run_failures)};
}

std::vector<TestCase> test_cases(const RunResult& run) {
  std::vector<TestCase> cases;
  for (const CaseResult& c : run.cases) cases.push_back(case_from(run, c));
  for (const CriterionResult& c : run.criteria) cases.push_back(case_from(run, c));
  if (!run.run_failures.empty()) cases.push_back(rack_case_from(run));
  return cases;
}

// JUnit timestamps carry no zone ("2026-11-21T08:15:02"); started_utc is UTC already.
std::string junit_timestamp(const std::string& started_utc) {
  constexpr std::size_t kDateTimeLength = 19;
  if (started_utc.size() < kDateTimeLength) return {};
  return started_utc.substr(0, kDateTimeLength);
}

void write_problem(const Problem& p, std::string& out) {
  const char* element = p.error ? "error" : "failure";
  out += fmt::format("      <{} message=\"{}\" type=\"{}\">{}</{}>\n", element, attr(p.message), attr(p.type),
                     body(p.detail), element);
}

void write_case(const TestCase& t, std::string& out) {
  out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", attr(t.classname),
                     attr(t.name), seconds_text(t.seconds));
  if (t.problems.empty() && t.skipped.empty() && t.properties.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  if (!t.properties.empty()) {
    out += "      <properties>\n";
    for (const auto& [name, value] : t.properties)
      out += fmt::format("        <property name=\"{}\" value=\"{}\"/>\n", attr(name), attr(value));
    out += "      </properties>\n";
  }
  if (!t.skipped.empty()) out += fmt::format("      <skipped message=\"{}\"/>\n", attr(t.skipped));
  for (const Problem& p : t.problems) write_problem(p, out);
  out += "    </testcase>\n";
}

void write_properties(const RunResult& run, std::string& out) {
  const std::pair<std::string_view, std::string> properties[] = {
      {"rack", run.rack},
      {"rack_file", run.rack_file},
      {"scenario_file", run.scenario_file},
      {"seed", std::to_string(run.seed)},
      {"simulated", run.simulated ? "true" : "false"},
      {"rig_seconds", fmt::format("{:.3f}", run.rig_seconds)},
      {"status", run.finished  ? "finished"
                 : run.aborted ? "aborted"
                               : "running"},
  };
  out += "    <properties>\n";
  for (const auto& [name, value] : properties) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, attr(value));
  }
  out += "    </properties>\n";
}

}  // namespace

void write_junit_xml(const RunResult& result, std::ostream& out) {
  const std::vector<TestCase> cases = test_cases(result);
  std::size_t failures = 0;
  std::size_t errors = 0;
  std::size_t skipped = 0;
  for (const TestCase& t : cases) {
    if (t.errored()) ++errors;
    if (t.failed()) ++failures;
    if (!t.skipped.empty()) ++skipped;
  }
  const std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\"", cases.size(), failures, errors);
  const std::string time = seconds_text(result.wall_seconds);

  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"cyanrig\" {} time=\"{}\">\n", counts, time);
  xml += fmt::format("  <testsuite name=\"{}\" {} skipped=\"{}\" time=\"{}\"", attr(result.scenario), counts,
                     skipped, time);
  if (const std::string stamp = junit_timestamp(result.started_utc); !stamp.empty()) {
    xml += fmt::format(" timestamp=\"{}\"", attr(stamp));
  }
  xml += ">\n";
  write_properties(result, xml);
  for (const TestCase& t : cases) write_case(t, xml);
  xml += "  </testsuite>\n</testsuites>\n";
  out << xml;
}

}  // namespace cyanrig
