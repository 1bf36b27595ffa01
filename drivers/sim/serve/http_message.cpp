#include "drivers/sim/serve/http_message.hpp"

#include <cctype>

namespace cyanrig::sim {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// `name="file"` inside a Content-Disposition header value; empty when absent.
std::string header_parameter(std::string_view header, std::string_view name) {
  const std::string key = std::string(name) + "=";
  for (std::string_view part : split(header, ';')) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, key.size()) != key) continue;
    part.remove_prefix(key.size());
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"') part = part.substr(1, part.size() - 2);
    return std::string(part);
  }
  return {};
}

bool starts_with_no_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

}  // namespace

HttpResponse json_answer(http::status status, const nlohmann::json& body) {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, "application/json; charset=utf-8");
  // Answers quote what the client sent (a path segment, a device name), which may be any bytes: they
  // become U+FFFD instead of an exception that would take the server down.
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

HttpResponse json_answer(int status, const nlohmann::json& body) {
  return json_answer(static_cast<http::status>(status), body);
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_form(std::string_view body) {
  std::map<std::string, std::string, std::less<>> fields;
  if (body.empty()) return fields;
  for (const std::string_view pair : split(body, '&')) {
    const auto eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    fields[percent_decode(name, true)] = percent_decode(value, true);
  }
  return fields;
}

RequestTarget parse_target(std::string_view target) {
  RequestTarget out;
  const auto question = target.find('?');
  if (question != std::string_view::npos) out.query = parse_form(target.substr(question + 1));
  for (const std::string_view segment : split(target.substr(0, question), '/')) {
    if (!segment.empty()) out.path.push_back(percent_decode(segment));
  }
  return out;
}

std::optional<UploadedFile> multipart_file(std::string_view content_type, std::string_view body,
                                           std::string_view field) {
  if (!starts_with_no_case(content_type, "multipart/form-data")) return std::nullopt;
  const std::string boundary = header_parameter(content_type, "boundary");
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  // Parts sit between "--boundary\r\n" and "\r\n--boundary"; each is headers, a blank line, content.
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    const std::size_t headers_start = at + delimiter.size() + 2;  // past "\r\n" (or "--" at the end)
    if (headers_start > body.size() || body.substr(at + delimiter.size(), 2) == "--") return std::nullopt;
    const std::size_t headers_end = body.find("\r\n\r\n", headers_start);
    if (headers_end == std::string_view::npos) return std::nullopt;
    const std::size_t next = body.find("\r\n" + delimiter, headers_end + 4);
    if (next == std::string_view::npos) return std::nullopt;
    std::string disposition;
    for (const std::string_view line : split(body.substr(headers_start, headers_end - headers_start), '\n')) {
      if (starts_with_no_case(line, "content-disposition:")) disposition = std::string(line);
    }
    if (!disposition.empty() && disposition.back() == '\r') disposition.pop_back();
    if (header_parameter(disposition, "name") == field) {
      return UploadedFile{header_parameter(disposition, "filename"),
                          std::string(body.substr(headers_end + 4, next - headers_end - 4))};
    }
    at = next + 2;
  }
  return std::nullopt;
}

}  // namespace cyanrig::sim
