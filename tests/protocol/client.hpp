// A protocol client for tests: a Session fed strings, its frames captured.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "hearth/protocol/session.hpp"

namespace hearth::test {

namespace json = boost::json;

// Test credentials: the handle names the member (as DevAuthenticator, without its warning).
class HandleAuthenticator final : public protocol::Authenticator {
 public:
  result<MemberId> authenticate(Engine& engine, const protocol::Credentials& c,
                                std::string& why) override {
    auto m = engine.find_member_by_handle(c.handle);
    if (!m) {
      why = "no such handle";
      return failure{m.error()};
    }
    return m->id;
  }
};

class CapturedOutput final : public protocol::Output {
 public:
  void send(std::string frame) override {
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(frame));
  }
  void close(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    closed_ = std::string(reason);
    ++closes_;
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(frames_, {});
  }
  std::string closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  int closes() {
    std::lock_guard lock(mutex_);
    return closes_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> frames_;
  std::string closed_;
  int closes_ = 0;
};

// One connection: send requests, read answers; events are kept aside, in order.
class Client {
 public:
  Client(Engine& engine, protocol::Authenticator& auth, protocol::SessionOptions options = {})
      : out_(std::make_shared<CapturedOutput>()),
        session_(std::make_unique<protocol::Session>(engine, auth, out_, options)) {}

  // Sends a raw frame; returns every frame that came back since the last look (events too).
  std::vector<json::value> raw(std::string_view frame) {
    session_->receive(frame);
    return frames();
  }
  std::vector<json::value> frames() {
    std::vector<json::value> out;
    for (auto& f : out_->take()) {
      auto v = json::parse(f);
      REQUIRE(v.is_object());
      if (v.get_object().contains("event"))
        events_.push_back(v.get_object().at("event").get_object());
      else
        out.push_back(std::move(v));
    }
    return out;
  }

  // Sends a request; returns its whole answer frame ({"id", "result"} or {"id", "error"}).
  json::object request(std::string_view method, json::object params = {}) {
    const std::string id = "r" + std::to_string(++next_id_);
    json::object req{{"id", id}, {"method", method}, {"params", std::move(params)}};
    auto answers = raw(json::serialize(req));
    REQUIRE(answers.size() == 1);
    json::object answer = answers[0].get_object();
    REQUIRE(answer.at("id") == json::value(id));
    return answer;
  }
  // A request that must succeed: its result.
  json::value call(std::string_view method, json::object params = {}) {
    auto answer = request(method, std::move(params));
    INFO(method << " answered " << json::serialize(answer));
    REQUIRE(answer.contains("result"));
    called_.push_back(std::string(method));
    return answer.at("result");
  }
  // A request that must fail: its error code.
  std::string error(std::string_view method, json::object params = {}) {
    auto answer = request(method, std::move(params));
    INFO(method << " answered " << json::serialize(answer));
    REQUIRE(answer.contains("error"));
    REQUIRE(answer.at("error").at("message").as_string().size() > 0);
    return std::string(answer.at("error").at("code").as_string());
  }
  json::value hello(std::string_view handle = {}) {
    json::object p{{"version", protocol::version}};
    if (!handle.empty()) p["handle"] = handle;
    return call("hello", std::move(p));
  }

  std::vector<json::object> events() {
    frames();
    return std::exchange(events_, {});
  }
  const std::vector<std::string>& called() const { return called_; }
  CapturedOutput& output() { return *out_; }
  protocol::Session& session() { return *session_; }
  void disconnect() { session_.reset(); }

 private:
  std::shared_ptr<CapturedOutput> out_;
  std::unique_ptr<protocol::Session> session_;
  std::vector<json::object> events_;
  std::vector<std::string> called_;
  int next_id_ = 0;
};

inline std::string id_of(const json::value& v) { return std::string(v.at("id").as_string()); }
inline std::string str(const json::value& v, std::string_view key) {
  return std::string(v.at(key).as_string());
}

}  // namespace hearth::test
