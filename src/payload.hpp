// Builds the small JSON objects carried by events (internal). Ids are written as strings:
// 64-bit ids do not fit a JSON number that JavaScript reads exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::detail {

class Payload {
 public:
  Payload() { out_.push_back('{'); }
  Payload& id(std::string_view key, std::uint64_t value);
  Payload& str(std::string_view key, std::string_view value);
  Payload& num(std::string_view key, std::int64_t value);
  Payload& boolean(std::string_view key, bool value);
  Payload& ids(std::string_view key, const std::vector<std::uint64_t>& values);  // ["1","2"]
  Payload& strs(std::string_view key, const std::vector<std::string>& values);
  std::string done();  // the finished object; the builder is left empty

 private:
  void key(std::string_view k);
  std::string out_;
};

}  // namespace hearth::detail
