// Demo categories and products. Prices are in cents; every product has a hand-drawn SVG in
// frontend/public/images/products/<slug>.svg.
#include "app/demo_catalog.hpp"

#include <array>
#include <string>
#include <string_view>

namespace gomall::app {
namespace {

struct DemoProduct {
    std::string_view category;
    std::string_view slug;
    std::string_view name;
    std::string_view description;
    Cents price;
    std::int64_t stock;
};

constexpr std::array<std::string_view, 5> kCategories = {
    "手机 Phones", "电脑 Laptops", "家电 Appliances", "服饰 Clothing", "图书 Books"};

constexpr std::array<DemoProduct, 16> kProducts = {{
    {"手机 Phones",
     "aurora-x5",
     "极光 X5 智能手机 Aurora X5",
     "6.7 英寸 120Hz OLED 屏，5000 mAh 电池，256 GB 存储。6.7\" 120 Hz OLED, 5000 mAh battery, 256 GB.",
     499900,
     120},
    {"手机 Phones",
     "lime-lite",
     "青柠 Lite 手机 Lime Lite",
     "轻巧耐用的入门手机，双卡双待，两天续航。A light, tough everyday phone with two-day battery life.",
     129900,
     300},
    {"手机 Phones",
     "soundwave-earbuds",
     "声浪降噪耳机 SoundWave Earbuds",
     "主动降噪真无线耳机，单次续航 8 小时。True wireless earbuds with active noise cancelling, 8 h per charge.",
     39900,
     500},
    {"手机 Phones",
     "pulse-watch",
     "律动智能手表 Pulse Watch",
     "心率、血氧与睡眠监测，14 天续航。Heart rate, SpO2 and sleep tracking with a 14-day battery.",
     89900,
     200},
    {"电脑 Laptops",
     "galaxy-pro-14",
     "星河 Pro 14 笔记本 Galaxy Pro 14",
     "14 英寸 2.8K 屏，32 GB 内存，1 TB 固态硬盘。14\" 2.8K display, 32 GB RAM, 1 TB SSD.",
     899900,
     60},
    {"电脑 Laptops",
     "feather-air-13",
     "轻羽 Air 13 笔记本 Feather Air 13",
     "仅重 1.1 kg 的全金属轻薄本，全天续航。An all-metal 1.1 kg ultrabook that lasts all day.",
     549900,
     80},
    {"电脑 Laptops",
     "k87-keyboard",
     "K87 机械键盘 K87 Mechanical Keyboard",
     "87 键热插拔，RGB 背光，三模连接。87-key hot-swap board with RGB backlight and tri-mode connectivity.",
     39900,
     150},
    {"家电 Appliances",
     "air-fryer",
     "无油空气炸锅 5L Air Fryer",
     "5 升大容量，八种预设菜单，少油更健康。5-litre basket, eight presets, crisp food with little oil.",
     39900,
     200},
    {"家电 Appliances",
     "rice-cooker",
     "智能电饭煲 Smart Rice Cooker",
     "IH 电磁加热，预约定时，米饭更香甜。Induction heating and a delay timer for perfect rice.",
     49900,
     150},
    {"家电 Appliances",
     "espresso-machine",
     "意式咖啡机 Espresso Machine",
     "15 bar 压力萃取，自带奶泡棒。15-bar pump espresso with a steam wand for milk foam.",
     129900,
     50},
    {"服饰 Clothing",
     "cotton-hoodie",
     "纯棉连帽卫衣 Cotton Hoodie",
     "380 g 重磅纯棉，宽松版型，四色可选。Heavyweight 380 g cotton, relaxed fit, four colours.",
     19900,
     400},
    {"服饰 Clothing",
     "runner-sneakers",
     "轻跑运动鞋 Runner Sneakers",
     "缓震中底，透气网面，适合日常慢跑。Cushioned midsole and breathable mesh for daily runs.",
     45900,
     250},
    {"服饰 Clothing",
     "down-jacket",
     "轻薄羽绒服 Light Down Jacket",
     "90% 白鸭绒填充，可收纳进口袋。90% white duck down, packs into its own pocket.",
     69900,
     120},
    {"图书 Books",
     "three-body",
     "三体（全三册）The Three-Body Trilogy",
     "刘慈欣科幻巨著，雨果奖获奖作品。Liu Cixin's Hugo-winning science fiction trilogy.",
     9900,
     500},
    {"图书 Books",
     "cpp-concurrency",
     "C++ 并发编程实战 C++ Concurrency in Action",
     "深入讲解 C++ 线程、原子操作与内存模型。Threads, atomics and the C++ memory model in depth.",
     12800,
     300},
    {"图书 Books",
     "tang-poems",
     "唐诗三百首 300 Tang Poems",
     "经典唐诗选集，附注释与赏析。The classic anthology of Tang poetry, with notes.",
     3900,
     600},
}};

}  // namespace

void seed_demo_catalog(gomall::ports::ProductRepository& products, gomall::TimePoint now) {
    if (products.count_products() > 0) {
        return;
    }
    for (std::string_view category : kCategories) {
        products.create_category(category);  // returns the existing id if it is already there
    }
    // Later entries get later timestamps, so "newest first" shows the list's end first and
    // every product has a distinct, stable position.
    auto created = now - std::chrono::seconds(static_cast<long>(kProducts.size()));
    for (const DemoProduct& demo : kProducts) {
        const auto category = products.find_category_by_name(demo.category);
        domain::NewProduct product;
        product.name = std::string(demo.name);
        product.description = std::string(demo.description);
        product.price = demo.price;
        product.stock = demo.stock;
        product.category_id = category ? category->id : 0;
        product.image_url = "/images/products/" + std::string(demo.slug) + ".svg";
        product.status = domain::ProductStatus::kOnSale;
        products.create(product, created);
        created += std::chrono::seconds(1);
    }
}

}  // namespace gomall::app
