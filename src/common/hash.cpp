#include "common/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <utility>

namespace sluice::common {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void to_hex(const unsigned char* bytes, size_t n, std::string& out) {
  out.resize(2 * n);
  char* p = out.data();
  for (size_t i = 0; i < n; ++i) {
    *p++ = kHexDigits[bytes[i] >> 4];
    *p++ = kHexDigits[bytes[i] & 0x0f];
  }
}

}  // namespace

// Exactly one of the two pairs is set. The algorithm is fetched once (an implicit fetch per call is what
// makes EVP_Digest() with EVP_md5() slow in OpenSSL 3) and the context is reinitialised, not recreated.
// OpenSSL 3.0 itself still allocates its small internal digest state on each reinitialisation; 3.2+ reuses
// it.
struct Hasher::State {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* md_ctx = nullptr;
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* mac_ctx = nullptr;

  ~State() {
    EVP_MD_CTX_free(md_ctx);
    EVP_MD_free(md);
    EVP_MAC_CTX_free(mac_ctx);
    EVP_MAC_free(mac);
  }
};

const char* hash_algorithm_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kMd5:
      return "md5";
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kHmacSha256:
      return "hmac-sha256";
  }
  return "unknown";
}

Result<Hasher> Hasher::create(HashAlgorithm algorithm, std::string_view key) {
  auto state = std::make_unique<State>();
  if (algorithm == HashAlgorithm::kHmacSha256) {
    state->mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (state->mac == nullptr) return unsupported("HMAC is not available from OpenSSL's default provider");
    state->mac_ctx = EVP_MAC_CTX_new(state->mac);
    if (state->mac_ctx == nullptr) return internal_error("cannot allocate an OpenSSL HMAC context");
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    // A null key pointer would mean "keep the previous key" to OpenSSL; an empty key needs a real pointer.
    static const unsigned char kNoKey = 0;
    const auto* key_bytes = key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_MAC_init(state->mac_ctx, key_bytes, key.size(), params) != 1) {
      return unsupported("HMAC-SHA256 is not available from OpenSSL's default provider");
    }
  } else {
    const char* name = algorithm == HashAlgorithm::kMd5 ? "MD5" : "SHA256";
    state->md = EVP_MD_fetch(nullptr, name, nullptr);
    if (state->md == nullptr) {
      return unsupported(std::string(name) + " is not available from OpenSSL's default provider");
    }
    state->md_ctx = EVP_MD_CTX_new();
    if (state->md_ctx == nullptr) return internal_error("cannot allocate an OpenSSL digest context");
  }
  return Hasher(algorithm, std::move(state));
}

Hasher::Hasher(HashAlgorithm algorithm, std::unique_ptr<State> state)
    : algorithm_(algorithm), state_(std::move(state)) {}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

size_t Hasher::digest_size() const { return algorithm_ == HashAlgorithm::kMd5 ? 16 : 32; }

bool Hasher::hex_digest(std::string_view data, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  bool ok;
  if (state_->mac_ctx != nullptr) {
    // Null key: restart with the key set in create(), without rehashing it.
    ok = EVP_MAC_init(state_->mac_ctx, nullptr, 0, nullptr) == 1 &&
         EVP_MAC_update(state_->mac_ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
             1 &&
         EVP_MAC_final(state_->mac_ctx, digest, &length, sizeof digest) == 1;
  } else {
    unsigned int md_length = 0;
    ok = EVP_DigestInit_ex2(state_->md_ctx, state_->md, nullptr) == 1 &&
         EVP_DigestUpdate(state_->md_ctx, data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(state_->md_ctx, digest, &md_length) == 1;
    length = md_length;
  }
  if (!ok) {
    out.clear();
    return false;
  }
  to_hex(digest, length, out);
  return true;
}

Result<std::string> hex_digest(HashAlgorithm algorithm, std::string_view data, std::string_view key) {
  auto hasher = Hasher::create(algorithm, key);
  if (!hasher) return hasher.status();
  std::string out;
  if (!hasher->hex_digest(data, out)) {
    return internal_error(std::string("OpenSSL failed to compute ") + hash_algorithm_name(algorithm));
  }
  return out;
}

}  // namespace sluice::common
