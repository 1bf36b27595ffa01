#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "rig/results/writers.hpp"
#include "rig/results/xml_text.hpp"
#include "run_fixture.hpp"

namespace cyanrig {
namespace {

namespace pt = boost::property_tree;

std::string junit(const RunResult& r) {
  std::ostringstream out;
  write_junit_xml(r, out);
  return out.str();
}

// Parses the document back (throws on malformed XML) so tests look at what CI would read.
pt::ptree parse(const std::string& xml) {
  std::istringstream in(xml);
  pt::ptree tree;
  pt::read_xml(in, tree);
  return tree;
}

struct Counts {
  int testcases = 0;
  int failures = 0;
  int errors = 0;
};

Counts count_elements(const pt::ptree& suite) {
  Counts c;
  for (const auto& [name, node] : suite) {
    if (name != "testcase") continue;
    ++c.testcases;
    c.failures += static_cast<int>(node.count("failure"));
    c.errors += static_cast<int>(node.count("error"));
  }
  return c;
}

TEST(Junit, OneTestcasePerDeviceAndRepeatPlusCriteria) {
  const pt::ptree doc = parse(junit(test::mixed_run()));
  const pt::ptree& suite = doc.get_child("testsuites.testsuite");
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.name"), "reboot_during_outage");
  // 4 device cases + 2 criteria; argon-1 repeat 2 and the argon-1 max criterion fail (device),
  // boron-1 repeat 2 is a lab error.
  EXPECT_EQ(suite.get<int>("<xmlattr>.tests"), 6);
  EXPECT_EQ(suite.get<int>("<xmlattr>.failures"), 2);
  EXPECT_EQ(suite.get<int>("<xmlattr>.errors"), 1);
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.timestamp"), "2026-11-21T08:15:02");
  // Real time, as CI duration charts expect; the rig's (simulated) time is a property.
  EXPECT_EQ(suite.get<std::string>("<xmlattr>.time"), "0.412");
  const Counts c = count_elements(suite);
  EXPECT_EQ(c.testcases, 6);
  EXPECT_EQ(c.failures, 2);
  EXPECT_EQ(c.errors, 1);
  EXPECT_EQ(doc.get<int>("testsuites.<xmlattr>.tests"), 6);
}

TEST(Junit, TestcaseNamesAndTimes) {
  const pt::ptree suite = parse(junit(test::mixed_run())).get_child("testsuites.testsuite");
  std::vector<std::string> names;
  for (const auto& [name, node] : suite) {
    if (name == "testcase") {
      names.push_back(node.get<std::string>("<xmlattr>.classname") + " | " +
                      node.get<std::string>("<xmlattr>.name") + " | " +
                      node.get<std::string>("<xmlattr>.time"));
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "reboot_during_outage.argon-1 | argon-1 repeat 1 | 0.100",
                       "reboot_during_outage.boron-1 | boron-1 repeat 1 | 0.098",
                       "reboot_during_outage.argon-1 | argon-1 repeat 2 | 0.200",
                       "reboot_during_outage.boron-1 | boron-1 repeat 2 | 0.001",
                       "reboot_during_outage.rack | time_to_cloud p95 (rack) | 0.000",
                       "reboot_during_outage.argon-1 | time_to_cloud max (argon-1) | 0.000",
                   }));
}

TEST(Junit, FailureSaysWhatWhereAndWhen) {
  const pt::ptree suite = parse(junit(test::mixed_run())).get_child("testsuites.testsuite");
  std::vector<const pt::ptree*> cases;
  for (const auto& [name, node] : suite) {
    if (name == "testcase") cases.push_back(&node);
  }
  ASSERT_EQ(cases.size(), 6U);
  const pt::ptree& timeout = cases[2]->get_child("failure");
  EXPECT_EQ(timeout.get<std::string>("<xmlattr>.type"), "device/timeout");
  EXPECT_EQ(timeout.get<std::string>("<xmlattr>.message"),
            "expected led breathing_cyan within 60 s; saw blinking_green since 12.000 s");
  EXPECT_EQ(timeout.data(),
            "expected led breathing_cyan within 60 s; saw blinking_green since 12.000 s\n"
            "step: steps[3] expect\n"
            "where: scenarios/reboot_during_outage.yaml:14:7\n"
            "when: 180.250 s after run start");

  EXPECT_EQ(cases[3]->count("failure"), 0U);
  EXPECT_EQ(cases[3]->get<std::string>("error.<xmlattr>.type"), "infrastructure/power");

  EXPECT_EQ(cases[5]->get<std::string>("failure.<xmlattr>.type"), "device/criterion");
  EXPECT_EQ(cases[5]->get<std::string>("failure.<xmlattr>.message"),
            "time_to_cloud max (argon-1) was >10 s (1 of 2 missing); limit 10 s");
}

TEST(Junit, RunFailuresGetARackTestcaseAndScenarioFailuresAreErrors) {
  RunResult r;
  r.scenario = "s";
  r.cases.push_back({"argon-1", 1, {}, {}, {test::failure(FailureClass::scenario, "unknown_function")}});
  r.run_failures.push_back(test::failure(FailureClass::infrastructure, "outage", "outage never lifted"));
  const pt::ptree suite = parse(junit(r)).get_child("testsuites.testsuite");
  EXPECT_EQ(suite.get<int>("<xmlattr>.tests"), 2);
  EXPECT_EQ(suite.get<int>("<xmlattr>.failures"), 0);
  EXPECT_EQ(suite.get<int>("<xmlattr>.errors"), 2);
  const Counts c = count_elements(suite);
  EXPECT_EQ(c.errors, 2);
}

TEST(Junit, ExactDocumentWithEscaping) {
  RunResult r;
  r.scenario = "a<b>&\"c\"";
  r.rack = "bench";
  r.seed = 7;
  r.rig_seconds = 1.5;
  r.wall_seconds = 0.25;
  r.finished = true;
  Failure f = test::failure(FailureClass::device, "serial", "saw \"<&>\" then 'x'\r\n\tend\x1b[0m");
  f.t = test::at_ms(1500);
  r.cases.push_back({"dev", 1, test::at_ms(0), test::at_ms(1500), {f}, 0.25});
  EXPECT_EQ(
      junit(r),
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"cyanrig\" tests=\"1\" failures=\"1\" errors=\"0\" time=\"0.250\">\n"
      "  <testsuite name=\"a&lt;b&gt;&amp;&quot;c&quot;\" tests=\"1\" failures=\"1\" errors=\"0\" "
      "skipped=\"0\" time=\"0.250\">\n"
      "    <properties>\n"
      "      <property name=\"rack\" value=\"bench\"/>\n"
      "      <property name=\"rack_file\" value=\"\"/>\n"
      "      <property name=\"scenario_file\" value=\"\"/>\n"
      "      <property name=\"seed\" value=\"7\"/>\n"
      "      <property name=\"simulated\" value=\"false\"/>\n"
      "      <property name=\"rig_seconds\" value=\"1.500\"/>\n"
      "      <property name=\"status\" value=\"finished\"/>\n"
      "    </properties>\n"
      "    <testcase classname=\"a&lt;b&gt;&amp;&quot;c&quot;.dev\" name=\"dev repeat 1\" time=\"0.250\">\n"
      "      <properties>\n"
      "        <property name=\"rig_seconds\" value=\"1.500\"/>\n"
      "      </properties>\n"
      "      <failure message=\"saw &quot;&lt;&amp;&gt;&quot; then &apos;x&apos;&#13;&#10;&#9;end\\x1b[0m\" "
      "type=\"device/serial\">saw \"&lt;&amp;&gt;\" then 'x'&#13;\n\tend\\x1b[0m\n"
      "when: 1.500 s after run start</failure>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST(Junit, EscapedTextReadsBackAsTheOriginal) {
  RunResult r;
  r.scenario = "s";
  const std::string message = "expected \"on\" & <off>; saw 'both'\n\tat once";
  r.cases.push_back({"dev", 1, {}, {}, {test::failure(FailureClass::device, "power", message)}});
  const pt::ptree doc = parse(junit(r));
  EXPECT_EQ(doc.get<std::string>("testsuites.testsuite.testcase.failure.<xmlattr>.message"), message);
}

TEST(XmlEscape, ReplacesWhatXmlCannotCarry) {
  // A NUL and an escape from a noisy serial line cannot appear in XML 1.0 even as &#0;.
  EXPECT_EQ(xml_escape(std::string_view("a\0b\x1b", 4), XmlContext::text), "a\\x00b\\x1b");
  // Broken UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/') becomes U+FFFD.
  EXPECT_EQ(xml_escape("x\x80y", XmlContext::text), "x\xEF\xBF\xBDy");
  EXPECT_EQ(xml_escape("\xE2\x82", XmlContext::text), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xC0\xAF", XmlContext::text), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBF", XmlContext::text), "\xEF\xBF\xBD");
  // Good UTF-8 passes through untouched.
  EXPECT_EQ(xml_escape("Grüße \xE2\x82\xAC \xF0\x9F\x94\xB5", XmlContext::attribute),
            "Grüße \xE2\x82\xAC \xF0\x9F\x94\xB5");
}

}  // namespace
}  // namespace cyanrig
