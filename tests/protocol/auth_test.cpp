#include "hearth/protocol/auth.hpp"  // first: the header stands alone

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hearth/engine.hpp"

using namespace hearth;
using namespace hearth::protocol;

namespace {

const std::string secret = "a test secret of at least 32 bytes, never sent";
constexpr Timestamp start_ms = 1'700'000'000'000;
constexpr std::int64_t start_s = start_ms / 1000;
constexpr std::string_view hs256_header = R"({"alg":"HS256","typ":"JWT"})";

std::string b64url(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8 |
                   static_cast<unsigned char>(in[i + 2]);
    for (const unsigned shift : {18u, 12u, 6u, 0u}) out.push_back(alphabet[(n >> shift) & 63]);
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(n >> 6) & 63]);
  }
  return out;
}

// A token with any header and payload, signed with HMAC-SHA256 under `key`.
std::string sign(std::string_view header, std::string_view payload, std::string_view key = secret) {
  const std::string input = b64url(header) + "." + b64url(payload);
  std::array<unsigned char, 32> mac{};
  unsigned int size = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(),
               &size) != nullptr);
  REQUIRE(size == mac.size());
  return input + "." + b64url({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

std::string claims(std::string_view sub, std::int64_t exp) {
  return R"({"sub":")" + std::string(sub) + R"(","exp":)" + std::to_string(exp) + "}";
}

// The parts of a compact token.
struct Parts {
  std::string header, payload, signature;
};
Parts split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

// An engine on a manual clock at start_ms, with Ada (external reference "game:1").
struct Setup {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(start_ms);
  std::unique_ptr<Engine> engine = *Engine::open({.clock = clock});
  Member ada = *engine->create_member("ada", "Ada", "game:1");

  // The member `authenticator` finds for a token or handle, checking that it says nothing.
  MemberId accepts(Authenticator& authenticator, Credentials credentials) {
    std::string why;
    auto r = authenticator.authenticate(*engine, credentials, why);
    INFO("token: " << credentials.token << " handle: " << credentials.handle << " why: " << why);
    REQUIRE(r.has_value());
    return *r;
  }
  MemberId accepts(Authenticator& authenticator, std::string token) {
    return accepts(authenticator, Credentials{.token = std::move(token)});
  }

  // The error `authenticator` returns, checking that it explains it without the secret.
  errc refuses(Authenticator& authenticator, Credentials credentials) {
    std::string why;
    auto r = authenticator.authenticate(*engine, credentials, why);
    INFO("token: " << credentials.token << " handle: " << credentials.handle << " why: " << why);
    REQUIRE_FALSE(r.has_value());
    REQUIRE(&r.error().category() == &hearth_category());
    CHECK_FALSE(why.empty());
    CHECK(why.find(secret) == std::string::npos);
    return static_cast<errc>(r.error().value());
  }
  errc refuses(Authenticator& authenticator, std::string token) {
    return refuses(authenticator, Credentials{.token = std::move(token)});
  }
};

std::unique_ptr<Hs256Authenticator> hs256(std::string issuer = {}) {
  auto created = Hs256Authenticator::create({.secret = secret, .issuer = std::move(issuer)});
  REQUIRE(created.has_value());
  return std::move(*created);
}

}  // namespace

TEST_CASE("a valid HS256 token names its member", "[auth]") {
  Setup s;
  auto auth = hs256();
  CHECK_FALSE(auth->insecure());
  const auto token = make_hs256_token(secret, "game:1", start_ms + 3'600'000);
  CHECK(s.accepts(*auth, token) == s.ada.id);
  // The handle is ignored when a token is checked.
  CHECK(s.accepts(*auth, Credentials{.token = token, .handle = "nobody"}) == s.ada.id);
  // A reference that JSON must escape makes a token that works too.
  auto odd = *s.engine->create_member("odd", "Odd", R"(steam:"x"\y)");
  CHECK(s.accepts(*auth, make_hs256_token(secret, R"(steam:"x"\y)", start_ms + 60'000)) == odd.id);
  // Claims the authenticator does not know are ignored; nbf in the past is fine.
  CHECK(s.accepts(*auth, sign(hs256_header, R"({"sub":"game:1","exp":1700000060,)"
                                            R"("nbf":1699999000,"role":"x","aud":["a"]})")) ==
        s.ada.id);
  // So is a header without "typ".
  CHECK(s.accepts(*auth, sign(R"({"alg":"HS256"})", claims("game:1", start_s + 60))) == s.ada.id);
}

TEST_CASE("a token signed with another secret is forbidden", "[auth]") {
  Setup s;
  auto auth = hs256();
  const std::string other = "another secret of at least 32 bytes, not ours";
  CHECK(s.refuses(*auth, make_hs256_token(other, "game:1", start_ms + 60'000)) == errc::forbidden);
  CHECK(s.refuses(*auth, make_hs256_token(secret.substr(1), "game:1", start_ms + 60'000)) ==
        errc::forbidden);
}

TEST_CASE("a tampered token is forbidden", "[auth]") {
  Setup s;
  auto auth = hs256();
  REQUIRE(s.engine->create_member("bob", "Bob", "game:2").has_value());
  const auto token = split(make_hs256_token(secret, "game:1", start_ms + 60'000));
  // Another subject, or a later expiry, under Ada's signature.
  CHECK(s.refuses(*auth, token.header + "." + b64url(claims("game:2", start_s + 60)) + "." +
                             token.signature) == errc::forbidden);
  CHECK(s.refuses(*auth, token.header + "." + b64url(claims("game:1", start_s + 99'999)) + "." +
                             token.signature) == errc::forbidden);
  // A signature with one character changed, cut short, or missing.
  std::string flipped = token.signature;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  CHECK(s.refuses(*auth, token.header + "." + token.payload + "." + flipped) == errc::forbidden);
  CHECK(s.refuses(*auth, token.header + "." + token.payload + "." +
                             token.signature.substr(0, 40)) == errc::forbidden);
  CHECK(s.refuses(*auth, token.header + "." + token.payload + ".") == errc::forbidden);
}

TEST_CASE("only the HS256 algorithm is accepted", "[auth]") {
  Setup s;
  auto auth = hs256();
  const auto payload = claims("game:1", start_s + 60);
  // "none" with no signature, and with a valid HMAC for good measure.
  CHECK(s.refuses(*auth, b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(payload) + ".") ==
        errc::forbidden);
  CHECK(s.refuses(*auth, sign(R"({"alg":"none"})", payload)) == errc::forbidden);
  CHECK(s.refuses(*auth, sign(R"({"alg":"HS512","typ":"JWT"})", payload)) == errc::forbidden);
  CHECK(s.refuses(*auth, sign(R"({"alg":"hs256"})", payload)) == errc::forbidden);
  CHECK(s.refuses(*auth, sign(R"({"typ":"JWT"})", payload)) == errc::forbidden);
  CHECK(s.refuses(*auth, sign(R"({"alg":["HS256"]})", payload)) == errc::forbidden);
  // Critical extensions are not understood, so they are refused (RFC 7515 4.1.11).
  CHECK(s.refuses(*auth, sign(R"({"alg":"HS256","crit":["exp"]})", payload)) == errc::forbidden);
}

TEST_CASE("an expired token is forbidden beyond the leeway only", "[auth]") {
  Setup s;
  auto auth = hs256();  // 30 s of leeway
  CHECK(s.accepts(*auth, make_hs256_token(secret, "game:1", start_ms - 29'000)) == s.ada.id);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:1", start_ms - 30'000)) == errc::forbidden);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:1", start_ms - 3'600'000)) ==
        errc::forbidden);
  // As the clock moves: valid until the last millisecond before exp + leeway.
  const auto token = make_hs256_token(secret, "game:1", start_ms + 60'000);
  s.clock->advance(89'999);
  CHECK(s.accepts(*auth, token) == s.ada.id);
  s.clock->advance(1);
  CHECK(s.refuses(*auth, token) == errc::forbidden);

  // No leeway at all.
  auto strict = *Hs256Authenticator::create({.secret = secret, .leeway_seconds = 0});
  s.clock->set(start_ms);
  CHECK(s.accepts(*strict, make_hs256_token(secret, "game:1", start_ms + 1'000)) == s.ada.id);
  CHECK(s.refuses(*strict, make_hs256_token(secret, "game:1", start_ms)) == errc::forbidden);
  // Extreme values neither overflow nor pass.
  CHECK(s.accepts(*auth, sign(hs256_header, claims("game:1", INT64_MAX))) == s.ada.id);
  CHECK(s.refuses(*auth, sign(hs256_header, claims("game:1", INT64_MIN))) == errc::forbidden);
}

TEST_CASE("a token not valid yet is forbidden beyond the leeway only", "[auth]") {
  Setup s;
  auto auth = hs256();
  const auto with_nbf = [](std::int64_t nbf) {
    return sign(hs256_header, R"({"sub":"game:1","exp":)" + std::to_string(start_s + 3600) +
                                  R"(,"nbf":)" + std::to_string(nbf) + "}");
  };
  CHECK(s.accepts(*auth, with_nbf(start_s)) == s.ada.id);
  CHECK(s.accepts(*auth, with_nbf(start_s + 30)) == s.ada.id);
  CHECK(s.refuses(*auth, with_nbf(start_s + 31)) == errc::forbidden);
  CHECK(s.refuses(*auth, with_nbf(start_s + 600)) == errc::forbidden);
  CHECK(s.refuses(*auth, with_nbf(INT64_MAX)) == errc::forbidden);
  s.clock->advance(1'000);
  CHECK(s.accepts(*auth, with_nbf(start_s + 31)) == s.ada.id);
}

TEST_CASE("the issuer is checked when one is configured", "[auth]") {
  Setup s;
  auto auth = hs256("login.example");
  const Timestamp exp = start_ms + 60'000;
  CHECK(s.accepts(*auth, make_hs256_token(secret, "game:1", exp, "login.example")) == s.ada.id);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:1", exp, "evil.example")) ==
        errc::forbidden);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:1", exp, "login.example.")) ==
        errc::forbidden);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:1", exp)) == errc::forbidden);
  // Without a configured issuer, any issuer goes.
  CHECK(s.accepts(*hs256(), make_hs256_token(secret, "game:1", exp, "evil.example")) == s.ada.id);
}

TEST_CASE("malformed tokens are invalid arguments", "[auth]") {
  Setup s;
  auto auth = hs256();
  const auto valid = make_hs256_token(secret, "game:1", start_ms + 60'000);
  const auto p = split(valid);
  const auto exp = std::to_string(start_s + 60);
  const auto refuses = [&](const std::string& token) { return s.refuses(*auth, token); };

  CHECK(refuses("") == errc::invalid_argument);
  CHECK(refuses("not a token") == errc::invalid_argument);
  CHECK(refuses(p.header + "." + p.payload) == errc::invalid_argument);
  CHECK(refuses(valid + ".") == errc::invalid_argument);
  CHECK(refuses(valid + "." + p.signature) == errc::invalid_argument);
  CHECK(refuses("..") == errc::invalid_argument);
  // Padding, and characters outside base64url (the base64 ones included).
  CHECK(refuses(valid + "=") == errc::invalid_argument);
  CHECK(refuses(b64url(R"({"alg":"HS256"} )") + "==." + p.payload + "." + p.signature) ==
        errc::invalid_argument);
  for (const char c : std::string("+/ =*\n\0", 7)) {
    std::string bad = valid;
    bad[p.header.size() + 3] = c;  // in the payload
    INFO("character " << int(c));
    CHECK(refuses(bad) == errc::invalid_argument);
  }
  // A lone trailing character, and trailing bits that are not zero (a second spelling).
  CHECK(refuses(p.header + "." + p.payload + "A." + p.signature) == errc::invalid_argument);
  std::string respelled = valid;
  respelled.back() = respelled.back() == 'A' ? 'B' : static_cast<char>(respelled.back() ^ 1);
  CHECK(refuses(respelled) == errc::invalid_argument);
  // Headers and payloads that are not JSON objects.
  CHECK(refuses(sign("{\"alg\":\"HS256\"", claims("game:1", start_s + 60))) ==
        errc::invalid_argument);
  CHECK(refuses(sign(R"(["HS256"])", claims("game:1", start_s + 60))) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, "sub=game:1")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, claims("game:1", start_s + 60) + "x")) ==
        errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"(["game:1",1700000060])")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"("game:1")")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, "{\"sub\":\"game:\xFF\",\"exp\":" + exp + "}")) ==
        errc::invalid_argument);
  // The subject.
  CHECK(refuses(sign(hs256_header, R"({"exp":)" + exp + "}")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"","exp":)" + exp + "}")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":1,"exp":)" + exp + "}")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":null,"exp":)" + exp + "}")) == errc::invalid_argument);
  // The times.
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1"})")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":")" + exp + "\"}")) ==
        errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":)" + exp + ".5}")) ==
        errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":null})")) == errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":18446744073709551615})")) ==
        errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":)" + exp + R"(,"nbf":"0"})")) ==
        errc::invalid_argument);
  CHECK(refuses(sign(hs256_header, R"({"sub":"game:1","exp":)" + exp + R"(,"iss":7})")) ==
        errc::invalid_argument);
}

TEST_CASE("tokens up to 8 KiB are read, longer ones refused", "[auth]") {
  Setup s;
  auto auth = hs256();
  bool at_limit = false, over_limit = false;
  for (std::size_t filler = 5'900; filler < 6'200 && !(at_limit && over_limit); ++filler) {
    const auto token =
        sign(hs256_header, R"({"sub":"game:1","exp":)" + std::to_string(start_s + 60) +
                               R"(,"x":")" + std::string(filler, 'x') + "\"}");
    if (token.size() == 8 * 1024) {
      CHECK(s.accepts(*auth, token) == s.ada.id);
      at_limit = true;
    } else if (token.size() == 8 * 1024 + 1) {
      CHECK(s.refuses(*auth, token) == errc::invalid_argument);
      over_limit = true;
    }
  }
  CHECK(at_limit);
  CHECK(over_limit);
  CHECK(s.refuses(*auth, std::string(1'000'000, 'a')) == errc::invalid_argument);
}

TEST_CASE("a token for no member is not found, for a deactivated one gone", "[auth]") {
  Setup s;
  auto auth = hs256();
  CHECK(s.refuses(*auth, make_hs256_token(secret, "game:2", start_ms + 60'000)) == errc::not_found);
  CHECK(s.refuses(*auth, make_hs256_token(secret, "ada", start_ms + 60'000)) == errc::not_found);
  CHECK(s.refuses(*auth, make_hs256_token(secret, std::string(300, 'g'), start_ms + 60'000)) ==
        errc::not_found);
  const auto token = make_hs256_token(secret, "game:1", start_ms + 60'000);
  REQUIRE(s.engine->deactivate_member(s.ada.id, s.ada.id).has_value());
  CHECK(s.refuses(*auth, token) == errc::gone);
}

TEST_CASE("an HS256 secret shorter than 32 bytes is refused", "[auth]") {
  const auto code = [](std::string key) {
    auto r = Hs256Authenticator::create({.secret = std::move(key)});
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  CHECK(code("") == make_error_code(errc::invalid_argument));
  CHECK(code(std::string(31, 's')) == make_error_code(errc::invalid_argument));
  CHECK(Hs256Authenticator::create({.secret = std::string(32, 's')}).has_value());
}

TEST_CASE("make_hs256_token matches an independent computation", "[auth]") {
  // python3 -c 'import hmac,hashlib,base64,json
  // b=lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
  // j=lambda o: json.dumps(o,separators=(",",":")).encode()
  // m=b(j({"alg":"HS256","typ":"JWT"}))+"."+b(j({"sub":"game:42","exp":1700003600,
  //   "iss":"hearth-test"}))
  // print(m+"."+b(hmac.new(b"known-answer-secret-of-32+ bytes",m.encode(),hashlib.sha256)
  //   .digest()))'
  const std::string expected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiJnYW1lOjQyIiwiZXhwIjoxNzAwMDAzNjAwLCJpc3MiOiJoZWFydGgtdGVzdCJ9."
      "KP7WviUt2NQMB9j88mnMZbZ2TYzy3F6f4r4EX-CqNhw";
  const std::string key = "known-answer-secret-of-32+ bytes";
  CHECK(make_hs256_token(key, "game:42", 1'700'003'600'999, "hearth-test") == expected);

  Setup s;
  auto member = *s.engine->create_member("kat", "Kat", "game:42");
  auto auth = *Hs256Authenticator::create({.secret = key, .issuer = "hearth-test"});
  CHECK(s.accepts(*auth, expected) == member.id);
}

TEST_CASE("the dev authenticator takes a handle on trust", "[auth]") {
  Setup s;
  DevAuthenticator dev;
  CHECK(dev.insecure());
  CHECK(s.accepts(dev, Credentials{.handle = "ada"}) == s.ada.id);
  CHECK(s.accepts(dev, Credentials{.handle = "ADA"}) == s.ada.id);  // handles ignore case
  CHECK(s.refuses(dev, Credentials{.handle = "nobody"}) == errc::not_found);
  CHECK(s.refuses(dev, Credentials{.handle = std::string(100, 'a')}) == errc::not_found);
  CHECK(s.refuses(dev, Credentials{}) == errc::invalid_argument);
  // A token is no handle.
  CHECK(s.refuses(dev, make_hs256_token(secret, "game:1", start_ms + 60'000)) ==
        errc::invalid_argument);
  REQUIRE(s.engine->deactivate_member(s.ada.id, s.ada.id).has_value());
  CHECK(s.refuses(dev, Credentials{.handle = "ada"}) == errc::gone);
}
