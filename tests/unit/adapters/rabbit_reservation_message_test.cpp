// The JSON body of a reservation message: what is encoded comes back equal, and every malformed
// body is refused with a reason instead of becoming a wrong order.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/rabbitmq/reservation_message.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

using namespace std::chrono_literals;

domain::Reservation sample() {
    domain::Reservation r;
    r.id = "9f2c4e";
    r.activity_id = 42;
    r.product_id = 7;
    r.user_id = 1001;
    r.seq = 2;
    r.price = 99900;
    r.reserved_at = TimePoint(1'800'000'000'123ms);
    return r;
}

std::string refusal(const std::string& body) {
    std::string error;
    const auto decoded = decode_reservation(body, error);
    EXPECT_FALSE(decoded.has_value()) << body;
    EXPECT_FALSE(error.empty()) << body;
    return error;
}

TEST(RabbitReservationMessage, EncodesEveryFieldTheConsumerNeedsAndDecodesToTheSameReservation) {
    domain::Reservation r = sample();
    r.status = domain::ReservationStatus::kSucceeded;  // outcomes never travel
    r.order_no = "ORD1";
    const std::string body = encode_reservation(r);
    EXPECT_EQ(
        body,
        R"({"id":"9f2c4e","activity_id":42,"product_id":7,"user_id":1001,"seq":2,"price":99900,)"
        R"("reserved_at":1800000000123})"
    );

    std::string error;
    const auto decoded = decode_reservation(body, error);
    ASSERT_TRUE(decoded.has_value()) << error;
    EXPECT_EQ(decoded->id, r.id);
    EXPECT_EQ(decoded->activity_id, r.activity_id);
    EXPECT_EQ(decoded->product_id, r.product_id);
    EXPECT_EQ(decoded->user_id, r.user_id);
    EXPECT_EQ(decoded->seq, r.seq);
    EXPECT_EQ(decoded->price, r.price);
    EXPECT_EQ(decoded->reserved_at, r.reserved_at);
    EXPECT_EQ(decoded->status, domain::ReservationStatus::kPending);
    EXPECT_TRUE(decoded->order_no.empty());
}

TEST(RabbitReservationMessage, IgnoresUnknownFields) {
    std::string error;
    const auto decoded = decode_reservation(
        R"({"id":"a","activity_id":1,"product_id":1,"user_id":1,"seq":1,"price":0,"reserved_at":0,"extra":[1]})", error
    );
    ASSERT_TRUE(decoded.has_value()) << error;
    EXPECT_EQ(decoded->price, 0);
}

TEST(RabbitReservationMessage, RefusesBodiesThatAreNotAReservation) {
    EXPECT_NE(refusal("not json").find("not JSON"), std::string::npos);
    EXPECT_NE(refusal("").find("not JSON"), std::string::npos);
    EXPECT_NE(refusal("[1,2]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(refusal(R"({"id":"x"})").find("activity_id"), std::string::npos);
    EXPECT_NE(refusal(std::string(std::size_t{70} * 1024, ' ')).find("larger"), std::string::npos);
}

TEST(RabbitReservationMessage, RefusesMistypedOrOutOfRangeFields) {
    const std::string tail = R"(,"product_id":7,"user_id":1001,"seq":2,"price":99900,"reserved_at":1800000000123})";
    EXPECT_NE(refusal(R"({"id":"","activity_id":42)" + tail).find("'id'"), std::string::npos);
    EXPECT_NE(refusal(R"({"id":5,"activity_id":42)" + tail).find("'id'"), std::string::npos);
    EXPECT_NE(
        refusal(R"({"id":")" + std::string(200, 'x') + R"(","activity_id":42)" + tail).find("'id'"), std::string::npos
    );
    EXPECT_NE(refusal(R"({"id":"a","activity_id":"42")" + tail).find("activity_id"), std::string::npos);
    EXPECT_NE(refusal(R"({"id":"a","activity_id":0)" + tail).find("activity_id"), std::string::npos);
    EXPECT_NE(refusal(R"({"id":"a","activity_id":4.5)" + tail).find("activity_id"), std::string::npos);
    EXPECT_NE(refusal(R"({"id":"a","activity_id":18446744073709551615)" + tail).find("activity_id"), std::string::npos);

    const std::string head = R"({"id":"a","activity_id":42,"product_id":7,"user_id":1001,)";
    EXPECT_NE(refusal(head + R"("seq":0,"price":1,"reserved_at":1})").find("seq"), std::string::npos);
    EXPECT_NE(refusal(head + R"("seq":4294967296,"price":1,"reserved_at":1})").find("seq"), std::string::npos);
    EXPECT_NE(refusal(head + R"("seq":1,"price":-1,"reserved_at":1})").find("price"), std::string::npos);
    EXPECT_NE(refusal(head + R"("seq":1,"price":1.25,"reserved_at":1})").find("price"), std::string::npos);
    EXPECT_NE(refusal(head + R"("seq":1,"price":1})").find("reserved_at"), std::string::npos);
    EXPECT_NE(refusal(head + R"("seq":1,"price":1,"reserved_at":-5})").find("reserved_at"), std::string::npos);
    EXPECT_NE(
        refusal(head + R"("seq":1,"price":1,"reserved_at":9223372036854775807})").find("reserved_at"), std::string::npos
    );
}

constexpr std::string_view kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

domain::Reservation numbered(int n) {
    domain::Reservation r = sample();
    r.id = "res-" + std::to_string(n);
    r.user_id = 1000 + n;
    return r;
}

std::string batch_refusal(const std::string& body) {
    std::string error;
    const auto decoded = decode_reservations(body, error);
    EXPECT_FALSE(decoded.has_value()) << body;
    EXPECT_FALSE(error.empty()) << body;
    return error;
}

TEST(RabbitReservationMessage, ATraceparentTravelsInTheObjectAndOldReadersStillDecodeIt) {
    const std::string body = encode_reservation(sample(), kTraceparent);
    EXPECT_NE(body.find(std::string(R"("traceparent":")") + std::string(kTraceparent) + "\""), std::string::npos);
    std::string error;
    ASSERT_TRUE(decode_reservation(body, error).has_value()) << error;  // a single-object reader ignores it
    const auto entries = decode_reservations(body, error);
    ASSERT_TRUE(entries.has_value()) << error;
    ASSERT_EQ(entries->size(), 1U);
    EXPECT_EQ(entries->front().reservation.id, "9f2c4e");
    EXPECT_EQ(entries->front().traceparent, kTraceparent);
}

TEST(RabbitReservationMessage, APackedMessageDecodesToEveryReservationInOrderWithItsOwnTraceparent) {
    std::vector<std::string> encoded;
    for (int n = 1; n <= 3; ++n) {
        encoded.push_back(encode_reservation(numbered(n), n == 2 ? std::string_view{} : kTraceparent));
    }
    const std::string body = pack_reservations({encoded[0], encoded[1], encoded[2]});
    EXPECT_EQ(body.front(), '[');
    EXPECT_EQ(body.back(), ']');
    std::string error;
    const auto entries = decode_reservations(body, error);
    ASSERT_TRUE(entries.has_value()) << error;
    ASSERT_EQ(entries->size(), 3U);
    for (int n = 1; n <= 3; ++n) {
        const ReservationEntry& entry = (*entries)[static_cast<std::size_t>(n - 1)];
        EXPECT_EQ(entry.reservation.id, "res-" + std::to_string(n));
        EXPECT_EQ(entry.reservation.user_id, 1000 + n);
        EXPECT_EQ(entry.reservation.status, domain::ReservationStatus::kPending);
        EXPECT_EQ(entry.traceparent, n == 2 ? "" : std::string(kTraceparent));
    }
}

TEST(RabbitReservationMessage, APackedMessageWithOneBadElementIsRefusedWhole) {
    const std::string good = encode_reservation(numbered(1));
    const std::string bad =
        R"({"id":"x","activity_id":0,"product_id":1,"user_id":1,"seq":1,"price":1,"reserved_at":1})";
    // The bad element in the middle: nothing of the message may become an order.
    EXPECT_NE(batch_refusal("[" + good + "," + bad + "," + good + "]").find("reservation 1"), std::string::npos);
    EXPECT_NE(batch_refusal("[" + good + ",5]").find("reservation 1"), std::string::npos);
    EXPECT_NE(batch_refusal("[" + good + ",[" + good + "]]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(batch_refusal("[]").find("1-"), std::string::npos);
    EXPECT_NE(batch_refusal("[" + good).find("not JSON"), std::string::npos);
    EXPECT_NE(batch_refusal("\"text\"").find("not a JSON object"), std::string::npos);
    EXPECT_NE(batch_refusal("null").find("not a JSON object"), std::string::npos);
}

TEST(RabbitReservationMessage, PackedMessagesAreBoundedInCountAndSize) {
    // More elements than a message may hold, each of them valid and tiny.
    const std::string tiny =
        R"({"id":"a","activity_id":1,"product_id":1,"user_id":1,"seq":1,"price":0,"reserved_at":0})";
    std::string many = "[";
    for (std::size_t i = 0; i <= kMaxReservationsPerMessage; ++i) {
        many += (i == 0 ? "" : ",") + tiny;
    }
    many += "]";
    ASSERT_LE(many.size(), kMaxReservationBodyBytes * 2);
    EXPECT_FALSE(batch_refusal(many).empty());
    std::string big = "[";
    while (big.size() <= kMaxReservationBodyBytes) {
        big += encode_reservation(numbered(1)) + ",";
    }
    big.back() = ']';
    EXPECT_NE(batch_refusal(big).find("larger"), std::string::npos);
}

TEST(RabbitReservationMessage, HostileTraceparentsInTheBodyMeanNoParentNeverALostReservation) {
    const std::string head =
        R"({"id":"a","activity_id":1,"product_id":1,"user_id":1,"seq":1,"price":0,"reserved_at":0,)";
    for (const std::string& value :
         {std::string(R"("traceparent":5})"),
          std::string(R"("traceparent":null})"),
          std::string(R"("traceparent":{"x":1}})"),
          R"("traceparent":")" + std::string(5000, 'f') + R"("})"}) {
        std::string error;
        const auto entries = decode_reservations("[" + head + value + "]", error);
        ASSERT_TRUE(entries.has_value()) << value << ": " << error;
        ASSERT_EQ(entries->size(), 1U);
        EXPECT_TRUE(entries->front().traceparent.empty()) << value;
    }
}

}  // namespace
}  // namespace gomall::adapters::rabbitmq
