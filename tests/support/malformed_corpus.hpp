// The shared corpus of hostile bytes for the "no exception crosses the library boundary" tests
// (tests/unit/malformed_input*_test.cpp): what a broken proxy, a wrong URL, a truncated answer
// or a tampered file can hand a parser. Every parser of untrusted bytes gets all of it.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace essnap::testing {

struct MalformedInput {
  std::string name;  // for failure messages: the bytes themselves may be 1 MiB of binary
  std::string bytes;
};

inline const std::vector<MalformedInput>& malformed_corpus() {
  static const std::vector<MalformedInput> corpus = [] {
    std::vector<MalformedInput> c;
    c.push_back({"empty", ""});
    c.push_back({"whitespace", " \t\r\n  \n"});
    c.push_back({"truncated JSON", R"({"a":)"});
    c.push_back({"JSON array", R"([1,"two",{"three":3}])"});
    c.push_back({"JSON string", R"("just a string")"});
    c.push_back({"JSON number", "42"});
    c.push_back({"JSON null", "null"});
    // Recursive-descent parsers blow the stack on this; nlohmann's must not.
    c.push_back({"nested 10000 deep", std::string(10000, '[') + std::string(10000, ']')});
    c.push_back({"unterminated 10000 deep", std::string(10000, '[')});
    c.push_back({"number past 64 bits",
                 R"({"a":184467440737095516160000,"b":-92233720368547758080000,"c":1e400})"});
    c.push_back({"bare huge number", "99999999999999999999999999999999"});
    c.push_back({"invalid UTF-8", "\xff\xfe\xc3\x28 \xe2\x82 \xf0\x28\x8c\xbc"});
    c.push_back({"invalid UTF-8 in JSON string", "{\"a\":\"\xc3\x28\xff\"}"});
    c.push_back({"NUL bytes", std::string("{\"a\0\":\"b\0c\"}\0\0", 14)});
    c.push_back({"truncated XML", "<Error><Code>"});
    c.push_back({"XML DOCTYPE entity", R"(<!DOCTYPE x [<!ENTITY a "b">]><Error>&a;</Error>)"});
    c.push_back({"XML wrong root",
                 "<?xml version=\"1.0\"?><Unexpected><Nested><Deeper/></Nested></Unexpected>"});
    c.push_back({"HTML error page",
                 "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                 "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                 "</body>\r\n</html>\r\n"});
    c.push_back({"1 MiB of junk", std::string(1 << 20, 'x')});
    std::string binary(4096, '\0');
    std::mt19937 rng(20240501);  // fixed seed: a failure must reproduce
    for (auto& ch : binary) ch = static_cast<char>(rng() & 0xff);
    c.push_back({"binary garbage", std::move(binary)});
    return c;
  }();
  return corpus;
}

}  // namespace essnap::testing
