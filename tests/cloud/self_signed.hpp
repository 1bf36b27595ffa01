// A throwaway certificate authority for TLS tests: a self-signed P-256 certificate made in memory
// with OpenSSL, never written anywhere but a test's temporary folder.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace cyanrig::test {

struct SelfSigned {
  std::string cert_pem;
  std::string key_pem;
};

// `subject_alt_name` in OpenSSL's syntax, e.g. "DNS:localhost" or "IP:127.0.0.1".
SelfSigned make_self_signed(const std::string& subject_alt_name);

// A server-side TLS context presenting the certificate.
std::shared_ptr<boost::asio::ssl::context> server_tls(const SelfSigned& identity);

}  // namespace cyanrig::test
