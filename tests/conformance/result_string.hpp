// Lets Catch2 print a hearth::result in failure messages: "ok" or the error's name and message.
// (boost::system::result's own operator<< needs the value to be printable.)
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "hearth/error.hpp"

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, boost::system::error_code>> {
  static std::string convert(const boost::system::result<T, boost::system::error_code>& r) {
    if (r) return "ok";
    return "error " + r.error().to_string() + " (" + r.error().message() + ")";
  }
};
}  // namespace Catch
