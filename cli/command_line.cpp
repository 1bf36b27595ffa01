#include "cli/command_line.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string_view>
#include <vector>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::cli {

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, error] = std::from_chars(text.data(), end, value);
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || error != std::errc{} || ptr != end || value < min || value > max) {
          return fmt::format("takes a whole number from {} to {}, found '{}'", min, max, text);
        }
        return {};
      },
      fmt::format("UINT:{}..{}", min, max));
}

std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
  const CLI::App* group = &app;
  std::string path = "cyanrig";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("-")) continue;
    const auto subcommands = group->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty()) return std::nullopt;  // a command's own arguments: CLI11's message fits
    std::vector<std::string> names;
    for (const CLI::App* sub : subcommands) {
      if (sub->check_name(std::string(arg))) {
        group = sub;
        path += " " + sub->get_name();
        names.clear();
        break;
      }
      names.push_back(sub->get_name());
    }
    if (names.empty()) continue;
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    const std::string hint = did_you_mean(arg, names);
    return fmt::format("cyanrig: '{}' is not a {} command{}; the commands are: {}", arg, path,
                       hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), list);
  }
  return std::nullopt;
}

}  // namespace cyanrig::cli
