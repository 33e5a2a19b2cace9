// The product list's ?category=: ids, names as the original GoMall sent them, and hostile values.
#include "http/handlers/category_filter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

Request with_category(std::string value) {
    Request req;
    req.query.emplace_back("category", std::move(value));
    return req;
}

TEST(CategoryFilter, AbsentOrEmptyIsEveryCategory) {
    const auto absent = read_category_filter(Request{});
    ASSERT_TRUE(absent.ok());
    EXPECT_EQ(absent->id, 0);
    EXPECT_TRUE(absent->name.empty());
    const auto empty = read_category_filter(with_category(""));
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->id, 0);
    EXPECT_TRUE(empty->name.empty());
}

TEST(CategoryFilter, DigitsAreAnIdAndBadIdsAre400) {
    const auto id = read_category_filter(with_category("12"));
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(id->id, 12);
    EXPECT_TRUE(id->name.empty());
    for (const char* bad : {"-1", "+3", "99999999999999999999"}) {
        const auto r = read_category_filter(with_category(bad));
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
        EXPECT_EQ(r.error().field, "category");
    }
}

TEST(CategoryFilter, AnythingElseIsANameUpToFiftyCharacters) {
    for (const std::string& name :
         {std::string("手机数码"),
          std::string("abc"),
          std::string("' OR '1'='1"),
          std::string("12a"),
          std::string("%_"),
          std::string(50, 'x'),
          [] {
              std::string s;
              for (int i = 0; i < 50; ++i)
                  s += "类";
              return s;
          }()}) {
        const auto r = read_category_filter(with_category(name));
        ASSERT_TRUE(r.ok()) << name;
        EXPECT_EQ(r->name, name);
        EXPECT_EQ(r->id, 0);
    }
}

TEST(CategoryFilter, HostileNamesAre400NamingTheParameter) {
    std::string long_cjk;
    for (int i = 0; i < 51; ++i) {
        long_cjk += "类";
    }
    for (const std::string& bad :
         {std::string(51, 'x'),
          long_cjk,
          std::string("\xff\xfe"),
          std::string("\xc3\x28"),
          std::string("a\0b", 3),
          std::string("a\nb"),
          std::string("a\x7f"),
          std::string("\xe6\x89"),
          std::string(100000, 'y')}) {
        const auto r = read_category_filter(with_category(bad));
        ASSERT_FALSE(r.ok()) << bad.size();
        EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
        EXPECT_EQ(r.error().field, "category");
    }
}

TEST(CategoryFilter, TheFirstOfRepeatedParametersCounts) {
    Request req = with_category("手机数码");
    req.query.emplace_back("category", "3");
    const auto r = read_category_filter(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->name, "手机数码");
}

TEST(CategoryFilter, KeysNameIdsAndNamesWithoutAmbiguity) {
    CategoryFilter id;
    id.id = 7;
    EXPECT_EQ(id.key(), "c=7");
    CategoryFilter name;
    name.name = "a&s=1";
    EXPECT_EQ(name.key(), "cn=5:a&s=1");
    CategoryFilter digits_name;
    digits_name.name = "7";
    EXPECT_NE(digits_name.key(), id.key());
}

TEST(CategoryFilter, ANameResolvesToItsIdOrToNoCategory) {
    const std::vector<domain::Category> categories{{1, "手机数码"}, {2, "家用电器"}, {3, "Books"}};
    EXPECT_EQ(category_id_named(categories, "家用电器"), 2);
    EXPECT_EQ(category_id_named(categories, "Books"), 3);
    EXPECT_EQ(category_id_named(categories, "books"), kNoCategory) << "exact match";
    EXPECT_EQ(category_id_named(categories, "手机"), kNoCategory);
    EXPECT_EQ(category_id_named(categories, ""), kNoCategory);
    EXPECT_EQ(category_id_named({}, "手机数码"), kNoCategory);
    EXPECT_LT(kNoCategory, 1) << "never a real category id";
}

}  // namespace
}  // namespace gomall::http
