#include "rig/history/history_location.hpp"

#include <cstdlib>

namespace cyanrig {

namespace fs = std::filesystem;

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

HistoryLocation location_of(const std::string& text) {
  return {is_postgresql_url(text) ? HistoryLocation::Kind::postgresql : HistoryLocation::Kind::sqlite, text};
}

}  // namespace

fs::path default_history_path() {
  if (const std::string data = environment("XDG_DATA_HOME"); !data.empty())
    return fs::path(data) / "cyanrig" / "history.sqlite";
  if (const std::string home = environment("HOME"); !home.empty())
    return fs::path(home) / ".local" / "share" / "cyanrig" / "history.sqlite";
  return {};
}

bool is_postgresql_url(const std::string& text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

HistoryLocation choose_history(bool off, const std::string& url, const std::string& path) {
  if (off) return {};
  if (!url.empty()) return {HistoryLocation::Kind::postgresql, url};
  if (!path.empty()) return location_of(path);
  if (const std::string env = environment("CYANRIG_HISTORY"); !env.empty()) return location_of(env);
  const fs::path fallback = default_history_path();
  if (fallback.empty()) return {};
  return {HistoryLocation::Kind::sqlite, fallback.string()};
}

std::string without_password(const std::string& url) {
  if (!is_postgresql_url(url)) return url;
  std::string out = url;
  // user:secret@host -> user@host (only in the authority, before the first '/' after "//")
  const auto authority = out.find("//") + 2;
  const auto path = out.find('/', authority);
  const auto at = out.rfind('@', path == std::string::npos ? out.size() : path);
  if (at != std::string::npos && at >= authority) {
    const auto colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  // ?password=...&  -> dropped
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=")) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) break;
    const auto end = out.find('&', p);
    out.erase(p, end == std::string::npos ? std::string::npos : end - p + 1);
  }
  while (!out.empty() && (out.back() == '?' || out.back() == '&')) out.pop_back();
  return out;
}

}  // namespace cyanrig
