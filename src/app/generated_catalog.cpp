// Word lists and the recipe of the generated catalogue. A product's words come from a hash of
// its number (splitmix64), so runs and machines agree without storing any state.
#include "app/generated_catalog.hpp"

#include <array>
#include <string>

namespace gomall::app {
namespace {

struct Words {
    std::string_view zh;
    std::string_view en;
};

struct ProductType {
    std::size_t category;
    Words words;
    std::string_view image;  // a demo picture that fits
    Cents base_price;
};

const std::vector<std::string_view> kCategories = {
    "手机 Phones", "电脑 Laptops", "家电 Appliances", "服饰 Clothing", "图书 Books"};

constexpr std::array<ProductType, 30> kTypes = {{
    {0, {"智能手机", "Smartphone"}, "aurora-x5", 299900},
    {0, {"老人手机", "Senior Phone"}, "lime-lite", 39900},
    {0, {"蓝牙耳机", "Bluetooth Earbuds"}, "soundwave-earbuds", 29900},
    {0, {"智能手表", "Smart Watch"}, "pulse-watch", 99900},
    {0, {"充电宝", "Power Bank"}, "lime-lite", 12900},
    {0, {"手机壳", "Phone Case"}, "aurora-x5", 3900},
    {1, {"笔记本电脑", "Laptop"}, "galaxy-pro-14", 599900},
    {1, {"轻薄本", "Ultrabook"}, "feather-air-13", 499900},
    {1, {"机械键盘", "Mechanical Keyboard"}, "k87-keyboard", 39900},
    {1, {"无线鼠标", "Wireless Mouse"}, "k87-keyboard", 9900},
    {1, {"显示器", "Monitor"}, "galaxy-pro-14", 159900},
    {1, {"移动硬盘", "Portable Drive"}, "feather-air-13", 49900},
    {2, {"空气炸锅", "Air Fryer"}, "air-fryer", 39900},
    {2, {"电饭煲", "Rice Cooker"}, "rice-cooker", 49900},
    {2, {"咖啡机", "Coffee Machine"}, "espresso-machine", 129900},
    {2, {"电水壶", "Electric Kettle"}, "rice-cooker", 12900},
    {2, {"破壁机", "Blender"}, "air-fryer", 59900},
    {2, {"扫地机器人", "Robot Vacuum"}, "espresso-machine", 199900},
    {3, {"卫衣", "Hoodie"}, "cotton-hoodie", 19900},
    {3, {"运动鞋", "Sneakers"}, "runner-sneakers", 49900},
    {3, {"羽绒服", "Down Jacket"}, "down-jacket", 69900},
    {3, {"牛仔裤", "Jeans"}, "cotton-hoodie", 29900},
    {3, {"衬衫", "Shirt"}, "cotton-hoodie", 15900},
    {3, {"登山靴", "Hiking Boots"}, "runner-sneakers", 59900},
    {4, {"科幻小说", "Science Fiction"}, "three-body", 5900},
    {4, {"编程指南", "Programming Guide"}, "cpp-concurrency", 11900},
    {4, {"诗集", "Poetry"}, "tang-poems", 3900},
    {4, {"历史读物", "History Book"}, "three-body", 6900},
    {4, {"儿童绘本", "Picture Book"}, "tang-poems", 4900},
    {4, {"菜谱", "Cookbook"}, "cpp-concurrency", 7900},
}};

constexpr std::array<Words, 20> kBrands = {{
    {"极光", "Aurora"}, {"青柠", "Lime"},      {"星河", "Galaxy"},    {"轻羽", "Feather"},  {"声浪", "SoundWave"},
    {"律动", "Pulse"},  {"云帆", "CloudSail"}, {"墨竹", "InkBamboo"}, {"晨曦", "Dawn"},     {"北辰", "Polaris"},
    {"海蓝", "Ocean"},  {"松果", "PineCone"},  {"麦田", "Wheatland"}, {"雪峰", "SnowPeak"}, {"青禾", "Sprout"},
    {"白鹭", "Egret"},  {"锦绣", "Brocade"},   {"飞鸟", "Swift"},     {"长风", "Longwind"}, {"南山", "Southhill"},
}};

constexpr std::array<std::string_view, 8> kSeries = {"Pro", "Max", "Lite", "Air", "Plus", "Mini", "Ultra", "SE"};

constexpr std::array<Words, 10> kColours = {{
    {"黑色", "black"},
    {"白色", "white"},
    {"红色", "red"},
    {"蓝色", "blue"},
    {"绿色", "green"},
    {"灰色", "grey"},
    {"粉色", "pink"},
    {"金色", "gold"},
    {"银色", "silver"},
    {"紫色", "purple"},
}};

constexpr std::array<std::string_view, 20> kFeaturesZh = {
    "轻薄便携", "超长续航", "快速充电", "防水防尘",     "高清大屏", "静音设计", "环保材质",
    "限时特惠", "官方正品", "全国联保", "节日礼物首选", "舒适透气", "大容量",   "智能控制",
    "一键操作", "耐磨耐用", "经典款式", "新品上市",     "家庭必备", "买二送一"};

constexpr std::array<std::string_view, 16> kFeaturesEn = {
    "lightweight",
    "long battery life",
    "fast charging",
    "water resistant",
    "free shipping",
    "limited offer",
    "warranty",
    "a great gift",
    "breathable",
    "large capacity",
    "smart control",
    "durable",
    "classic design",
    "new arrival",
    "quiet",
    "easy to clean"};

/// splitmix64: a well-mixed 64-bit value from a counter.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

/// Successive draws from one product's number.
class Draws {
public:
    explicit Draws(std::uint64_t n) : state_(mix(n)) {}
    std::uint64_t below(std::uint64_t bound) {
        state_ = mix(state_);
        return state_ % bound;
    }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& list) {
        return list[below(N)];
    }

private:
    std::uint64_t state_;
};

}  // namespace

const std::vector<std::string_view>& generated_category_names() {
    return kCategories;
}

GeneratedProduct generate_product(std::uint64_t n) {
    Draws draw(n);
    const ProductType& type = draw.pick(kTypes);
    const Words& brand = draw.pick(kBrands);
    const std::string_view series = draw.pick(kSeries);
    const std::string model = std::to_string(1 + draw.below(99));
    const Words& colour = draw.pick(kColours);

    GeneratedProduct out;
    out.category = type.category;
    domain::NewProduct& p = out.product;
    p.name = std::string(brand.zh) + std::string(type.words.zh) + " " + std::string(brand.en) + " " +
             std::string(series) + " " + model + " " + std::string(type.words.en) + "（" + std::string(colour.zh) +
             "）";
    p.description = std::string(draw.pick(kFeaturesZh)) + "，" + std::string(draw.pick(kFeaturesZh)) + "，" +
                    std::string(draw.pick(kFeaturesZh)) + "。" + std::string(colour.en) + ", " +
                    std::string(draw.pick(kFeaturesEn)) + ", " + std::string(draw.pick(kFeaturesEn)) + ".";
    // From half to twice the type's price, ending in 9 cents.
    const auto factor = 50 + static_cast<Cents>(draw.below(151));
    p.price = (type.base_price * factor / 100) / 10 * 10 + 9;
    p.stock = static_cast<std::int64_t>(draw.below(1000));
    p.image_url = "/images/products/" + std::string(type.image) + ".svg";
    // A few are off the shelf, as in a real catalogue.
    p.status = draw.below(50) == 0 ? domain::ProductStatus::kOffShelf : domain::ProductStatus::kOnSale;
    return out;
}

}  // namespace gomall::app
