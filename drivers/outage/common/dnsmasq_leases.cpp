#include "drivers/outage/common/dnsmasq_leases.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <regex>
#include <sstream>

namespace cyanrig {
namespace {

bool is_ipv4(const std::string& text) {
  in_addr buffer{};
  return inet_pton(AF_INET, text.c_str(), &buffer) == 1;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::map<std::string, std::string> ipv4_leases_by_mac(std::string_view leases_text) {
  static const std::regex kMac("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
  std::map<std::string, std::string> out;
  std::map<std::string, unsigned long long> expiry_of;
  std::istringstream lines{std::string(leases_text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string expiry_text, mac, ip;
    if (!(fields >> expiry_text >> mac >> ip)) continue;
    if (expiry_text.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!std::regex_match(mac, kMac) || !is_ipv4(ip)) continue;
    // 0 is dnsmasq's "infinite lease": newer than any dated one.
    unsigned long long expiry = std::stoull(expiry_text.substr(0, 19));
    if (expiry == 0) expiry = ~0ULL;
    mac = lowercase(mac);
    const auto seen = expiry_of.find(mac);
    if (seen != expiry_of.end() && seen->second > expiry) continue;
    expiry_of[mac] = expiry;
    out[mac] = ip;
  }
  return out;
}

}  // namespace cyanrig
