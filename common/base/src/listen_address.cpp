#include "gantry/common/listen_address.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>

namespace gantry {
namespace {

constexpr std::string_view kExample = "e.g. 127.0.0.1:9090, localhost:0 or [::1]:9090";

bool isIpv4(const std::string& host) {
  std::array<unsigned char, sizeof(in_addr)> buffer{};
  return ::inet_pton(AF_INET, host.c_str(), buffer.data()) == 1;
}

bool isIpv6(const std::string& host) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return ::inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

}  // namespace

Result<ListenAddress> parseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalidArgument("must be HOST:PORT, " + std::string(kExample));
  }
  ListenAddress address;
  const std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return invalidArgument("must end in a port between 0 and 65535 (0 picks a free port), " +
                           std::string(kExample));
  }
  address.port = static_cast<uint16_t>(value);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    address.host = std::string(host.substr(1, host.size() - 2));
    if (isIpv6(address.host)) {
      return address;
    }
    return invalidArgument("must have an IPv6 address between the brackets, " +
                           std::string(kExample));
  }
  address.host = std::string(host);
  if (address.host == "localhost" || isIpv4(address.host)) {
    return address;
  }
  return invalidArgument(
      "must have an IPv4 address, localhost or an IPv6 address in brackets as its host, " +
      std::string(kExample));
}

}  // namespace gantry
