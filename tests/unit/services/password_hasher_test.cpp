// Tests of bcrypt hashing: format, salt, verification and the 6..72 byte rule.
#include "services/password_hasher.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

TEST(PasswordHasherTest, ProducesA2bHashWithTheConfiguredCost) {
    const PasswordHasher hasher(4);
    const std::string hash = hasher.hash("secret123");
    EXPECT_EQ(hash.rfind("$2b$04$", 0), 0U) << hash;
    EXPECT_EQ(hash.size(), 60U);
}

TEST(PasswordHasherTest, VerifiesTheRightPasswordAndRejectsAWrongOne) {
    const PasswordHasher hasher(4);
    const std::string hash = hasher.hash("secret123");
    EXPECT_TRUE(hasher.verify("secret123", hash));
    EXPECT_FALSE(hasher.verify("secret124", hash));
    EXPECT_FALSE(hasher.verify("Secret123", hash));
}

TEST(PasswordHasherTest, SaltsEveryHashDifferently) {
    const PasswordHasher hasher(4);
    EXPECT_NE(hasher.hash("secret123"), hasher.hash("secret123"));
}

TEST(PasswordHasherTest, AcceptsSixTo72BytesOnly) {
    const PasswordHasher hasher(4);
    EXPECT_FALSE(PasswordHasher::acceptable("12345"));
    EXPECT_TRUE(PasswordHasher::acceptable("123456"));
    EXPECT_TRUE(PasswordHasher::acceptable(std::string(72, 'x')));
    EXPECT_FALSE(PasswordHasher::acceptable(std::string(73, 'x')));
    EXPECT_FALSE(PasswordHasher::acceptable(std::string("abc\0defgh", 9)));
    EXPECT_THROW((void)hasher.hash("12345"), std::invalid_argument);
    EXPECT_THROW((void)hasher.hash(std::string(73, 'x')), std::invalid_argument);
}

TEST(PasswordHasherTest, DoesNotTruncateAt72BytesBecauseLongerPasswordsNeverMatch) {
    const PasswordHasher hasher(4);
    const std::string password(72, 'x');
    const std::string hash = hasher.hash(password);
    EXPECT_TRUE(hasher.verify(password, hash));
    EXPECT_FALSE(hasher.verify(password + "y", hash));
}

TEST(PasswordHasherTest, RejectsStoredValuesThatAreNotBcryptHashes) {
    const PasswordHasher hasher(4);
    EXPECT_FALSE(hasher.verify("secret123", ""));
    EXPECT_FALSE(hasher.verify("secret123", "secret123"));
    EXPECT_FALSE(hasher.verify("secret123", "$1$abcdefgh$abcdefghijklmnopqrstuv"));
    std::string hash = hasher.hash("secret123");
    hash.back() = hash.back() == 'a' ? 'b' : 'a';
    EXPECT_FALSE(hasher.verify("secret123", hash));
}

TEST(PasswordHasherTest, RefusesCostsBcryptDoesNotSupport) {
    EXPECT_THROW(PasswordHasher(3), std::invalid_argument);
    EXPECT_THROW(PasswordHasher(32), std::invalid_argument);
    EXPECT_EQ(PasswordHasher().cost(), 10);
}

}  // namespace
}  // namespace gomall::services
