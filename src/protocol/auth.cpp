#include "hearth/protocol/auth.hpp"

#include <array>
#include <climits>
#include <limits>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/json.hpp>

#include "hearth/engine.hpp"

namespace hearth::protocol {
namespace {

namespace json = boost::json;

constexpr std::size_t max_token_size = 8 * 1024;
constexpr std::size_t min_secret_size = 32;
constexpr std::size_t signature_size = 32;  // SHA-256
using Signature = std::array<unsigned char, signature_size>;

// Base64url without padding (RFC 7515 section 2; RFC 4648 section 5).
std::string base64url_encode(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::uint32_t bits = 0;
  int pending = 0;  // bits in `bits` not yet written
  for (const char ch : in) {
    bits = (bits << 8) | static_cast<unsigned char>(ch);
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out.push_back(alphabet[(bits >> pending) & 63]);
    }
  }
  if (pending > 0) out.push_back(alphabet[(bits << (6 - pending)) & 63]);
  return out;
}

int base64url_digit(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes strictly: no padding, no character outside the alphabet, no length that leaves a lone
// character, no leftover bits set (so that every byte string has exactly one encoding).
std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t bits = 0;
  int pending = 0;
  for (const char c : in) {
    const int digit = base64url_digit(c);
    if (digit < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(digit);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xFF));
    }
  }
  if ((bits & ((1u << pending) - 1)) != 0) return std::nullopt;
  return out;
}

// HMAC-SHA256 of `message` under `key`; nullopt when OpenSSL fails (it should not).
std::optional<Signature> hmac_sha256(std::string_view key, std::string_view message) {
  static constexpr unsigned char no_key = 0;  // OpenSSL wants a pointer even for an empty key
  if (key.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  Signature mac{};
  unsigned int mac_size = 0;
  const auto* key_data = key.empty() ? &no_key : reinterpret_cast<const unsigned char*>(key.data());
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
           &mac_size) == nullptr ||
      mac_size != mac.size())
    return std::nullopt;
  return mac;
}

// a + b, held at the ends of the range instead of overflowing.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum))
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  return sum;
}

// Whole seconds since the epoch at `ms`, rounded down: for an integer t, ms < t * 1000 exactly
// when floor_seconds(ms) < t.
std::int64_t floor_seconds(Timestamp ms) noexcept { return ms / 1000 - (ms % 1000 < 0 ? 1 : 0); }

// A JSON object parsed from `text`, or nothing when it is not JSON or not an object.
std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  json::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  return std::move(*o);
}

// A NumericDate claim: absent (nullopt in *out, true), an integer (true), anything else (false).
bool integer_claim(const json::object& claims, std::string_view name,
                   std::optional<std::int64_t>& out) {
  out.reset();
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return true;
  const std::int64_t* i = v->if_int64();
  if (i == nullptr) return false;  // a string, a fraction, or beyond the range of int64
  out = *i;
  return true;
}

failure fail(errc code, std::string& why, std::string_view message) {
  why = message;
  return failure{make_error_code(code)};
}

// The member found under a subject or handle, if active.
result<MemberId> active_member(result<Member> found, std::string& why, std::string_view what) {
  if (!found) {
    if (is(found.error(), errc::not_found))
      return fail(errc::not_found, why, std::string("no member for this ") + std::string(what));
    why = "the member could not be looked up";
    return failure{found.error()};
  }
  if (!found->active) return fail(errc::gone, why, "the member is deactivated");
  return found->id;
}

}  // namespace

result<MemberId> DevAuthenticator::authenticate(Engine& engine, const Credentials& credentials,
                                                std::string& why) {
  if (credentials.handle.empty()) return fail(errc::invalid_argument, why, "no handle given");
  return active_member(engine.find_member_by_handle(credentials.handle), why, "handle");
}

result<std::unique_ptr<Hs256Authenticator>> Hs256Authenticator::create(Hs256Options options) {
  if (options.secret.size() < min_secret_size ||
      options.secret.size() > static_cast<std::size_t>(INT_MAX))
    return errc::invalid_argument;
  return std::unique_ptr<Hs256Authenticator>(new Hs256Authenticator(std::move(options)));
}

result<MemberId> Hs256Authenticator::authenticate(Engine& engine, const Credentials& credentials,
                                                  std::string& why) {
  const std::string_view token = credentials.token;
  if (token.empty()) return fail(errc::invalid_argument, why, "no token given");
  if (token.size() > max_token_size) return fail(errc::invalid_argument, why, "token too long");

  // Compact serialization: header.payload.signature, each part base64url.
  const auto first_dot = token.find('.');
  const auto second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos)
    return fail(errc::invalid_argument, why, "not a token: expected three parts");
  const std::string_view signing_input = token.substr(0, second_dot);
  const auto header_text = base64url_decode(token.substr(0, first_dot));
  const auto payload_text = base64url_decode(signing_input.substr(first_dot + 1));
  const auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header_text || !payload_text || !signature)
    return fail(errc::invalid_argument, why, "bad base64url in token");

  // The header says how the token is signed: only HS256 is accepted (never "none").
  const auto header = parse_object(*header_text);
  if (!header) return fail(errc::invalid_argument, why, "token header is not a JSON object");
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256")
    return fail(errc::forbidden, why, "token algorithm is not HS256");
  if (header->contains("crit"))  // RFC 7515 4.1.11: extensions we do not know must be refused
    return fail(errc::forbidden, why, "token has critical header parameters");

  // The signature is checked before anything in the payload is looked at.
  const auto expected = hmac_sha256(options_.secret, signing_input);
  if (!expected) return fail(errc::internal, why, "token signature could not be computed");
  if (signature->size() != expected->size() ||
      CRYPTO_memcmp(signature->data(), expected->data(), expected->size()) != 0)
    return fail(errc::forbidden, why, "token signature does not verify");

  const auto claims = parse_object(*payload_text);
  if (!claims) return fail(errc::invalid_argument, why, "token payload is not a JSON object");
  const json::value* sub = claims->if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty())
    return fail(errc::invalid_argument, why, "token has no subject");
  std::optional<std::int64_t> exp, nbf;
  if (!integer_claim(*claims, "exp", exp) || !exp)
    return fail(errc::invalid_argument, why, "token has no integer exp");
  if (!integer_claim(*claims, "nbf", nbf))
    return fail(errc::invalid_argument, why, "token nbf is not an integer");
  const json::value* iss = claims->if_contains("iss");
  if (iss != nullptr && !iss->is_string())
    return fail(errc::invalid_argument, why, "token iss is not a string");

  // Valid while exp + leeway is in the future, and from nbf - leeway on.
  const std::int64_t now = floor_seconds(engine.clock().now());
  const std::int64_t leeway = options_.leeway_seconds;
  if (now >= saturating_add(*exp, leeway)) return fail(errc::forbidden, why, "token expired");
  if (nbf && now < saturating_add(*nbf, -leeway))
    return fail(errc::forbidden, why, "token not valid yet");
  if (!options_.issuer.empty() && (iss == nullptr || iss->get_string() != options_.issuer))
    return fail(errc::forbidden, why, "token issuer not accepted");

  const json::string& subject = sub->get_string();
  return active_member(
      engine.find_member_by_external_ref(std::string_view(subject.data(), subject.size())), why,
      "token subject");
}

std::string make_hs256_token(std::string_view secret, std::string_view subject,
                             Timestamp expires_at_ms, std::string_view issuer) {
  json::object claims;
  claims["sub"] = subject;
  claims["exp"] = expires_at_ms / 1000;
  if (!issuer.empty()) claims["iss"] = issuer;
  std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64url_encode(json::serialize(claims));
  const auto mac = hmac_sha256(secret, token);
  if (!mac) return {};
  token += '.';
  token +=
      base64url_encode(std::string_view(reinterpret_cast<const char*>(mac->data()), mac->size()));
  return token;
}

}  // namespace hearth::protocol
