#include "tls_context.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace gantry::sim {
namespace {

constexpr long kValidSeconds = 365L * 24 * 3600;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

std::string opensslError(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char buffer[256] = "unknown error";
  if (code != 0) {
    ERR_error_string_n(code, buffer, sizeof(buffer));
  }
  return what + ": " + buffer;
}

bool addExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) {
    return false;
  }
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Result<std::unique_ptr<X509, X509Free>> makeCertificate(EVP_PKEY* key) {
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) {
    return invalidArgument(opensslError("X509_new"));
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("gantry-provider-sim"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // As `openssl req -x509` makes them: its own CA, so clients can trust it
  // as their CA file, and valid for the names clients use.
  const bool ok = addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
                  addExtension(cert.get(), NID_key_usage,
                               "critical,digitalSignature,keyEncipherment,keyCertSign") &&
                  addExtension(cert.get(), NID_ext_key_usage, "serverAuth") &&
                  addExtension(cert.get(), NID_subject_key_identifier, "hash") &&
                  addExtension(cert.get(), NID_authority_key_identifier, "keyid:always") &&
                  addExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  if (!ok) {
    return invalidArgument(opensslError("certificate extensions"));
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) {
    return invalidArgument(opensslError("X509_sign"));
  }
  return cert;
}

Status writePem(const std::string& path, mode_t mode, EVP_PKEY* key, X509* cert) {
  const std::string tmp = path + ".tmp";
  std::unique_ptr<FILE, FileClose> file(std::fopen(tmp.c_str(), "w"));
  if (!file) {
    return invalidArgument("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), mode);
  const int ok = key != nullptr
                     ? PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_X509(file.get(), cert);
  if (ok != 1 || std::fflush(file.get()) != 0) {
    return invalidArgument(opensslError("writing " + tmp));
  }
  file.reset();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return invalidArgument("cannot rename " + tmp + ": " + ec.message());
  }
  return Status::ok();
}

}  // namespace

Status writeSelfSigned(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return invalidArgument("cannot create " + dir + ": " + ec.message());
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) {
    return invalidArgument(opensslError("generating a P-256 key"));
  }
  auto cert = makeCertificate(key.get());
  if (!cert.isOk()) {
    return cert.status();
  }
  if (Status s = writePem(dir + "/key.pem", 0600, key.get(), nullptr); !s.isOk()) {
    return s;
  }
  return writePem(dir + "/cert.pem", 0644, nullptr, cert.value().get());
}

Result<std::shared_ptr<boost::asio::ssl::context>> serverContext(const std::string& cert_file,
                                                                 const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return invalidArgument("cannot use certificate " + cert_file + ": " + ec.message());
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return invalidArgument("cannot use key " + key_file + ": " + ec.message());
  }
  return context;
}

}  // namespace gantry::sim
