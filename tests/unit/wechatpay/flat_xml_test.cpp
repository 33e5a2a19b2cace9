// The flat-XML tokenizer: what APIv2 sends is read, everything an XML attack needs is refused.
#include "adapters/wechatpay/flat_xml.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace gomall::wechatpay {
namespace {

using namespace std::string_view_literals;

FlatXml parse_ok(std::string_view doc) {
    const Result<FlatXml> result = parse_flat_xml(doc);
    EXPECT_TRUE(result.ok()) << doc << "\n-> " << (result.ok() ? "" : result.error().message);
    return result.ok() ? result.value() : FlatXml{};
}

// Refused with kBadRequest and a message holding `reason`.
void expect_refused(std::string_view doc, std::string_view reason, const FlatXmlLimits& limits = {}) {
    const Result<FlatXml> result = parse_flat_xml(doc, limits);
    ASSERT_FALSE(result.ok()) << doc;
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(result.error().message.find(reason), std::string::npos)
        << "document: " << doc << "\nmessage: " << result.error().message;
}

TEST(FlatXmlTest, ReadsWeChatsDocumentationExample) {
    const FlatXml fields = parse_ok(
        "<xml>\n<appid>wxd930ea5d5a258f4f</appid>\n<mch_id>10000100</mch_id>\n<device_info>1000</device_info>\n"
        "<body>test</body>\n<nonce_str>ibuaiVcKdpRxkhJA</nonce_str>\n<sign>9A0A8659F005D6984697E2CA0A9CF3B7</sign>\n"
        "</xml>"
    );
    EXPECT_EQ(
        fields,
        (FlatXml{
            {"appid", "wxd930ea5d5a258f4f"},
            {"mch_id", "10000100"},
            {"device_info", "1000"},
            {"body", "test"},
            {"nonce_str", "ibuaiVcKdpRxkhJA"},
            {"sign", "9A0A8659F005D6984697E2CA0A9CF3B7"},
        })
    );
}

TEST(FlatXmlTest, ReadsCdataEntitiesAndCharacterReferences) {
    const FlatXml fields = parse_ok(
        "<xml><return_code><![CDATA[SUCCESS]]></return_code>"
        "<a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</a>"
        "<cjk>&#20013;&#x6587;&#x1F600;</cjk>"
        "<raw><![CDATA[<not> &amp; markup]]></raw>"
        "<mixed>x<![CDATA[<y>]]>z</mixed>"
        "<split><![CDATA[a]]]]><![CDATA[>b]]></split>"
        "<empty></empty><closed/><closed_space />"
        "<utf8>中文 ü</utf8></xml>"
    );
    EXPECT_EQ(fields.at("return_code"), "SUCCESS");
    EXPECT_EQ(fields.at("a"), "<b> & \"c\" 'd'");
    EXPECT_EQ(fields.at("cjk"), "中文\xF0\x9F\x98\x80");
    EXPECT_EQ(fields.at("raw"), "<not> &amp; markup");
    EXPECT_EQ(fields.at("mixed"), "x<y>z");
    EXPECT_EQ(fields.at("split"), "a]]>b");
    EXPECT_EQ(fields.at("empty"), "");
    EXPECT_EQ(fields.at("closed"), "");
    EXPECT_EQ(fields.at("closed_space"), "");
    EXPECT_EQ(fields.at("utf8"), "中文 ü");
}

TEST(FlatXmlTest, AcceptsADeclarationBomAndWhitespaceBetweenElements) {
    const FlatXml expected{{"a", "1"}};
    EXPECT_EQ(parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><xml><a>1</a></xml>"), expected);
    EXPECT_EQ(parse_ok("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<xml><a>1</a></xml>"), expected);
    EXPECT_EQ(parse_ok("\xEF\xBB\xBF<?xml version=\"1.0\"?><xml><a>1</a></xml>"), expected);
    EXPECT_EQ(parse_ok("\xEF\xBB\xBF<xml><a>1</a></xml>"), expected);
    EXPECT_EQ(parse_ok("\r\n <xml >\n\t<a >1</a >\r\n</xml >\n\n"), expected);
    EXPECT_EQ(parse_ok("<xml></xml>"), FlatXml{});
    EXPECT_EQ(parse_ok("<xml/>"), FlatXml{});
}

TEST(FlatXmlTest, KeepsTextAsSent) {
    // Whitespace inside a field is data; CR LF is not folded (APIv2 signs the sender's bytes).
    EXPECT_EQ(parse_ok("<xml><a> x\r\ny </a></xml>").at("a"), " x\r\ny ");
    EXPECT_EQ(parse_ok("<xml><a>></a></xml>").at("a"), ">");
}

TEST(FlatXmlTest, WritesCdataInKeyOrderAndRoundTrips) {
    const FlatXml fields{
        {"sign", "ABC"},
        {"body", "<b>&amp;</b> \"q\" 'a'"},
        {"attach", "x]]>y]]>]]>"},
        {"empty", ""},
        {"cjk", "中文"},
    };
    const std::string xml = write_flat_xml(fields);
    EXPECT_EQ(
        xml,
        "<xml><attach><![CDATA[x]]]]><![CDATA[>y]]]]><![CDATA[>]]]]><![CDATA[>]]></attach>"
        "<body><![CDATA[<b>&amp;</b> \"q\" 'a']]></body><cjk><![CDATA[中文]]></cjk><empty><![CDATA[]]></empty>"
        "<sign><![CDATA[ABC]]></sign></xml>"
    );
    EXPECT_EQ(parse_ok(xml), fields);
    EXPECT_EQ(write_flat_xml({}), "<xml></xml>");
    EXPECT_EQ(parse_ok(write_flat_xml({{"a", "]]>"}})).at("a"), "]]>");
    EXPECT_EQ(parse_ok(write_flat_xml({{"a", "]]"}})).at("a"), "]]");
}

TEST(FlatXmlTest, WriterRefusesWhatXmlCannotCarry) {
    EXPECT_THROW((void)write_flat_xml({{"a b", "x"}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"", "x"}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"1a", "x"}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"a><b", "x"}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"a", std::string("x\0y", 3)}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"a", "\x01"}}), std::invalid_argument);
    EXPECT_THROW((void)write_flat_xml({{"a", "\xC3"}}), std::invalid_argument);
}

TEST(FlatXmlTest, RefusesDoctypeAndEntityDeclarations) {
    // "Billion laughs": refused at the DOCTYPE, before any entity could be expanded.
    expect_refused(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
        "<xml><a>&lol3;</a></xml>",
        "DOCTYPE"
    );
    // External entity (XXE).
    expect_refused("<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><a>&xxe;</a></xml>", "DOCTYPE");
    expect_refused("<!DOCTYPE xml SYSTEM \"http://example.com/x.dtd\"><xml></xml>", "DOCTYPE");
    expect_refused("<!ENTITY a \"b\"><xml></xml>", "entity declarations");
    expect_refused("<xml><!DOCTYPE x><a>1</a></xml>", "DOCTYPE");
    expect_refused("<xml><!ENTITY a \"b\"><a>1</a></xml>", "entity declarations");
    expect_refused("<xml><a><!ENTITY a \"b\"></a></xml>", "entity declarations");
}

TEST(FlatXmlTest, RefusesEntitiesOtherThanThePredefinedOnes) {
    expect_refused("<xml><a>&xxe;</a></xml>", "entity references");
    expect_refused("<xml><a>&AMP;</a></xml>", "entity references");
    expect_refused("<xml><a>&amp</a></xml>", "malformed entity");
    expect_refused("<xml><a>a & b</a></xml>", "malformed entity");
    expect_refused("<xml><a>&;</a></xml>", "entity references");
    expect_refused("<xml><a>&#;</a></xml>", "malformed character reference");
    expect_refused("<xml><a>&#x;</a></xml>", "malformed character reference");
    expect_refused("<xml><a>&#X41;</a></xml>", "malformed character reference");
    expect_refused("<xml><a>&#-1;</a></xml>", "malformed character reference");
    expect_refused("<xml><a>&#1a;</a></xml>", "malformed character reference");
    expect_refused("<xml><a>&#0000000000065;</a></xml>", "malformed entity");  // too long to bother
}

TEST(FlatXmlTest, RefusesCharacterReferencesOutsideXmlCharacters) {
    expect_refused("<xml><a>&#0;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#x0;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#1;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#xD800;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#xDFFF;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#xFFFE;</a></xml>", "does not allow");
    expect_refused("<xml><a>&#x110000;</a></xml>", "outside Unicode");
    expect_refused("<xml><a>&#99999999;</a></xml>", "outside Unicode");
    expect_refused("<xml><a>&#xFFFFFFFF;</a></xml>", "outside Unicode");
    EXPECT_EQ(
        parse_ok("<xml><a>&#9;&#10;&#13;&#x10FFFF;&#65;</a></xml>").at("a"),
        "\t\n\r\xF4\x8F\xBF\xBF"
        "A"
    );
}

TEST(FlatXmlTest, RefusesStructureOtherThanFlatFields) {
    expect_refused("<xml><a><b>1</b></a></xml>", "nested elements");
    expect_refused("<xml><a>1<b/></a></xml>", "nested elements");
    expect_refused("<xml><a x=\"1\">1</a></xml>", "attributes");
    expect_refused("<xml id=\"1\"><a>1</a></xml>", "attributes");
    expect_refused("<xml><a>1</a><a>2</a></xml>", "appears twice");
    expect_refused("<xml><a>1</a><a/></xml>", "appears twice");
    expect_refused("<xml><a>1</b></xml>", "does not match");
    expect_refused("<xml><a>1</a></xmlx>", "does not match");
    expect_refused("<xml><a>1</a></XML>", "does not match");
    expect_refused("<root><a>1</a></root>", "root element is not <xml>");
    expect_refused("<XML><a>1</a></XML>", "root element is not <xml>");
    expect_refused("<xml>text<a>1</a></xml>", "text outside a field");
    expect_refused("<xml><a-b>1</a-b></xml>", "[A-Za-z0-9_]");
    expect_refused("<xml><ns:a>1</ns:a></xml>", "[A-Za-z0-9_]");
    expect_refused("<xml><1a>1</1a></xml>", "starts with a digit");
    expect_refused("<xml>< a>1</a></xml>", "element name expected");
    expect_refused("<xml><a>1</ a></xml>", "element name expected");
    expect_refused("<xml><a>]]></a></xml>", "outside a CDATA");
}

TEST(FlatXmlTest, RefusesCommentsAndProcessingInstructions) {
    expect_refused("<!-- c --><xml></xml>", "comments");
    expect_refused("<xml><!-- c --><a>1</a></xml>", "comments");
    expect_refused("<xml><a>1<!-- c --></a></xml>", "comments");
    expect_refused("<xml><?php echo 1; ?></xml>", "processing instructions");
    expect_refused("<?xml-stylesheet href=\"a\"?><xml></xml>", "processing instructions");
    expect_refused("<xml><![CDATA[x]]><a>1</a></xml>", "markup declarations");
}

TEST(FlatXmlTest, RefusesABadDeclaration) {
    expect_refused(" <?xml version=\"1.0\"?><xml></xml>", "processing instructions");  // not at the start
    expect_refused("<?xml version=\"1.0\" encoding=\"GBK\"?><xml></xml>", "XML declaration");
    expect_refused("<?xml encoding=\"UTF-8\"?><xml></xml>", "XML declaration");
    expect_refused("<?xml version=\"2.0\"?><xml></xml>", "XML declaration");
    expect_refused("<?xml version=\"1.0\" foo=\"bar\"?><xml></xml>", "XML declaration");
    expect_refused("<?xml version=\"1.0\"encoding=\"UTF-8\"?><xml></xml>", "malformed XML declaration");
    expect_refused("<?xml version=\"1.0\"", "unterminated XML declaration");
    expect_refused("<?xml?><xml></xml>", "without a version");
    expect_refused("<?xml version=\"1.0\"?><?xml version=\"1.0\"?><xml></xml>", "processing instructions");
}

TEST(FlatXmlTest, RefusesTruncatedDocumentsAndTrailingContent) {
    const std::string whole = "<xml><a><![CDATA[x]]></a><b>&amp;</b></xml>";
    for (std::size_t n = 0; n < whole.size(); ++n) {
        EXPECT_FALSE(parse_flat_xml(whole.substr(0, n)).ok()) << whole.substr(0, n);
    }
    EXPECT_TRUE(parse_flat_xml(whole).ok());
    expect_refused("", "empty");
    expect_refused("   ", "empty");
    expect_refused("<xml><a>1</a>", "ends inside <xml>");
    expect_refused("<xml><a>1", "ends inside <a>");
    expect_refused("<xml><a><![CDATA[1</a></xml>", "unterminated CDATA");
    expect_refused("<xml></xml>x", "content after the root");
    expect_refused("<xml></xml><xml></xml>", "content after the root");
    expect_refused("<xml></xml><!-- c -->", "content after the root");
    expect_refused("hello", "text before the root");
}

TEST(FlatXmlTest, RefusesBytesXmlDoesNotAllow) {
    expect_refused("<xml><a>1\0</a></xml>"sv, "NUL");
    expect_refused("<xml><a><![CDATA[\0]]></a></xml>"sv, "NUL");
    expect_refused("\0<xml></xml>"sv, "NUL");
    expect_refused("<xml><a>\x01</a></xml>", "does not allow");
    expect_refused("<xml><a>\x1B</a></xml>", "does not allow");
    expect_refused("<xml><a>\xC3</a></xml>", "invalid UTF-8");
    expect_refused("<xml><a>\xC0\xBC</a></xml>", "invalid UTF-8");          // overlong '<'
    expect_refused("<xml><a>\xED\xA0\x80</a></xml>", "invalid UTF-8");      // a surrogate
    expect_refused("<xml><a>\xF4\x90\x80\x80</a></xml>", "invalid UTF-8");  // above U+10FFFF
    expect_refused("<xml><a>\xEF\xBF\xBE</a></xml>", "does not allow");     // U+FFFE
    expect_refused("<xml><a>\xFF</a></xml>", "invalid UTF-8");
}

TEST(FlatXmlTest, EnforcesTheLimits) {
    FlatXmlLimits limits;
    limits.max_bytes = 30;
    EXPECT_TRUE(parse_flat_xml("<xml><a>123456789012</a></xml>", limits).ok());  // 30 bytes
    expect_refused("<xml><a>1234567890123</a></xml>", "larger than 30 bytes", limits);

    limits = FlatXmlLimits{};
    limits.max_fields = 2;
    EXPECT_TRUE(parse_flat_xml("<xml><a>1</a><b>2</b></xml>", limits).ok());
    expect_refused("<xml><a>1</a><b>2</b><c>3</c></xml>", "more than 2 fields", limits);

    limits = FlatXmlLimits{};
    limits.max_name_bytes = 4;
    EXPECT_TRUE(parse_flat_xml("<xml><abcd>1</abcd></xml>", limits).ok());
    expect_refused("<xml><abcde>1</abcde></xml>", "longer than 4 bytes", limits);

    // The defaults: 64 KiB, 64 fields, 64-byte names.
    expect_refused("<xml><a>" + std::string(std::size_t{64} * 1024, 'x') + "</a></xml>", "larger than 65536 bytes");
    std::string many = "<xml>";
    for (int i = 0; i < 65; ++i) {
        many += "<f" + std::to_string(i) + ">1</f" + std::to_string(i) + ">";
    }
    expect_refused(many + "</xml>", "more than 64 fields");
    const std::string long_name(65, 'n');
    expect_refused("<xml><" + long_name + ">1</" + long_name + "></xml>", "longer than 64 bytes");
}

}  // namespace
}  // namespace gomall::wechatpay
