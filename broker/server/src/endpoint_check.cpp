#include "gantry/broker/server/endpoint_check.h"

#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace gantry::broker {
namespace {

bool validPort(const std::string& port) {
  if (port == "*") {
    return true;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value <= 65535;
}

// Whether this host can bind `host`: an interface name, or a name or
// address one of its interfaces has.
std::string hostProblem(std::string host) {
  if (host == "*" || if_nametoindex(host.c_str()) != 0) {
    return {};
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return "cannot resolve '" + host + "': " + ::gai_strerror(rc);
  }
  std::string problem;
  const int fd = ::socket(found->ai_family, SOCK_STREAM, 0);
  // The resolved address with port 0: binding it takes no port anyone uses.
  if (fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    problem = errno == EADDRNOTAVAIL ? "'" + host + "' is not an address of this host"
                                     : "'" + host + "': " + std::strerror(errno);
  }
  if (fd >= 0) {
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return problem;
}

std::string ipcProblem(const std::string& path) {
  if (path.empty()) {
    return "no socket path";
  }
  const size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "."
                             : slash == 0               ? "/"
                                                        : path.substr(0, slash);
  struct stat info = {};
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return "folder " + folder + " does not exist";
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return "folder " + folder + " is not writable";
  }
  return {};
}

}  // namespace

Status checkBindable(const std::string& flag, const std::string& endpoint) {
  const auto fail = [&](const std::string& why) {
    return invalidArgument(flag + ": cannot bind '" + endpoint + "': " + why);
  };
  const size_t separator = endpoint.find("://");
  if (separator == std::string::npos) {
    return fail("expected tcp://HOST:PORT, ipc://PATH or inproc://NAME");
  }
  const std::string transport = endpoint.substr(0, separator);
  const std::string address = endpoint.substr(separator + 3);
  if (transport == "inproc") {
    return address.empty() ? fail("no name") : Status::ok();
  }
  if (transport == "ipc") {
    const std::string problem = ipcProblem(address);
    return problem.empty() ? Status::ok() : fail(problem);
  }
  if (transport != "tcp") {
    return fail("unknown transport '" + transport + "' (tcp, ipc or inproc)");
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail("expected tcp://HOST:PORT");
  }
  if (const std::string port = address.substr(colon + 1); !validPort(port)) {
    return fail("port '" + port + "' is not a number in 0..65535 or *");
  }
  const std::string problem = hostProblem(address.substr(0, colon));
  return problem.empty() ? Status::ok() : fail(problem);
}

}  // namespace gantry::broker
