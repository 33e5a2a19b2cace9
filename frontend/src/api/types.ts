// Shapes of the GoMall public API (see notes/contract.md and docs/openapi.yaml).
// Field names are snake_case exactly as the server sends them.

export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
  trace_id?: string;
}

export interface Page<T> {
  list: T[];
  total: number;
  page: number;
  page_size: number;
  total_page: number;
}

export const ROLE_SHOPPER = 1;
export const ROLE_ADMIN = 2;

export interface User {
  id: number;
  username: string;
  email: string;
  phone: string;
  role: number;
  created_at: string;
  updated_at: string;
}

export interface LoginResult {
  token: string;
  refresh_token: string;
  expires_in: number;
  user: User;
}

export interface RegisterRequest {
  username: string;
  password: string;
  email: string;
  phone?: string;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface Category {
  id: number;
  name: string;
}

export type ProductSort = 'newest' | 'price_asc' | 'price_desc' | 'sales';

export interface Product {
  id: number;
  name: string;
  description: string;
  price: number;
  stock: number;
  category_id: number | null;
  category: string;
  image_url: string;
  status: number; // 1 on sale, 0 off shelf
  sales: number;
  created_at: string;
  updated_at: string;
}

export interface ProductQuery {
  page?: number;
  page_size?: number;
  keyword?: string;
  category?: number;
  sort?: ProductSort;
}

export interface ProductInput {
  name?: string;
  description?: string;
  price?: number | string;
  stock?: number;
  category_id?: number | null;
  image_url?: string;
  status?: number;
}

export interface CartItem {
  id: number;
  user_id: number;
  product_id: number;
  quantity: number;
  name: string;
  price: number;
  image_url: string;
  stock: number;
  status: number;
  available: boolean;
  created_at: string;
  updated_at: string;
}

export interface Cart {
  list: CartItem[];
  total: number;
  total_quantity: number;
  total_price: number;
}

export const ORDER_STATUS = {
  processing: 0,
  awaitingPayment: 1,
  paid: 2,
  shipped: 3,
  completed: 4,
  cancelled: 5,
  refunded: 6,
} as const;

export interface OrderItem {
  product_id: number;
  product_name: string;
  product_image: string;
  quantity: number;
  price: number;
}

export interface Order {
  id: number;
  order_no: string;
  user_id: number;
  product_id: number;
  product_name: string;
  product_image: string;
  quantity: number;
  total_price: number;
  status: number;
  pay_type: number;
  items: OrderItem[];
  expires_at: string | null;
  /** Set when the order came from a flash sale. */
  seckill_activity_id?: number | null;
  paid_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderQuery {
  page?: number;
  page_size?: number;
  status?: number;
}

// --- Flash sale (seckill); see notes/seckill.md -------------------------------------

export type SeckillState = 'upcoming' | 'active' | 'sold_out' | 'ended';

export interface SeckillActivity {
  id: number;
  product_id: number;
  product_name: string;
  product_image: string;
  price: number; // flash price, yuan
  original_price: number;
  total_stock: number;
  sold: number;
  remaining: number;
  state: SeckillState;
  start_time: string;
  end_time: string;
  per_user_limit: number;
  /** The anti-bot gate is on: purchases need a token from POST /seckill/token (absent from older servers). */
  token_required?: boolean;
  created_at: string;
  updated_at: string;
  /** Only on GET /seckill/activities/:id */
  server_time?: string;
  server_time_ms?: number;
}

export interface SeckillActivityList {
  list: SeckillActivity[];
  server_time: string;
  server_time_ms: number;
}

export interface SeckillInitInput {
  product_id: number;
  stock: number;
  price?: number | string;
  start_time?: string;
  end_time?: string;
  per_user_limit?: number;
}

export type SeckillUpdateInput = Partial<Omit<SeckillInitInput, 'product_id'>>;

export interface SeckillQueued {
  status: 'queued';
  reservation_id: string;
  activity_id: number;
  product_id: number;
}

/** POST /seckill/token: single use, for this shopper and this activity, valid for seckill.token_ttl_seconds. */
export interface SeckillToken {
  token: string;
}

export type SeckillResultStatus = 'none' | 'queued' | 'success' | 'failed';

export interface SeckillReservation {
  reservation_id: string;
  status: SeckillResultStatus | string;
  order_no: string | null;
  reason: string | null;
  reserved_at: string;
}

export interface SeckillResult {
  status: SeckillResultStatus;
  activity_id: number;
  product_id: number;
  reservation_id?: string | null;
  order_no?: string | null;
  reason?: string | null;
  reservations?: SeckillReservation[];
}

// --- Uploads (POST /upload, POST /upload/multi) -------------------------------------

/** A stored image. The server names it (32 hex + extension) and decides the type from the content. */
export interface UploadedFile {
  url: string; // e.g. /uploads/<32 hex>.png, served by the same server
  name: string;
  type: string; // image/jpeg | image/png | image/gif | image/webp
  size: number; // bytes
  width: number;
  height: number;
}

export interface UploadedFiles {
  files: UploadedFile[];
}

// --- WeChat Pay, Native (QR code) ------------------------------------------------------
// Amounts named *_fee are integer fen (cents); `price` / `total_price` elsewhere stay yuan.

/** WeChat's trade_state ("" before any payment attempt). Other values may appear. */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'USERPAYING' | 'PAYERROR' | 'REVOKED' | '' | (string & {});

/** POST /pay/wechat/unified-order */
export interface UnifiedOrder {
  prepay_id: string;
  /** weixin://wxpay/bizpayurl?pr=... : the content of the QR code. */
  code_url: string;
  order_no: string;
  out_trade_no: string;
  total_fee: number;
  trade_type: 'NATIVE' | (string & {});
  /** ISO 8601; WeChat takes no money after this. */
  expires_at: string;
  /** Only against the server's local WeChat Pay emulator (dev, tests): its page that "scans" the code. */
  scan_url?: string | null;
}

export type PaymentRecordKind = 'attempt' | 'notification' | 'query' | 'close' | 'refund' | 'auto_refund' | (string & {});

export interface PaymentRecord {
  id: number;
  kind: PaymentRecordKind;
  provider: string;
  out_trade_no: string;
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  amount_fee: number;
  status: string;
  detail: string;
  created_at: string;
}

/** GET /order/:order_no/payment */
export interface PaymentStatus {
  order_no: string;
  order_status: number;
  total_fee: number;
  paid_fee: number;
  refunded_fee: number;
  refundable_fee: number;
  expires_at: string | null;
  paid_at?: string | null;
  trade_state: TradeState;
  code_url?: string | null;
  scan_url?: string | null;
  records: PaymentRecord[];
}

/** GET /pay/wechat/query: WeChat asked there and then. */
export interface PaymentQuery {
  order_no: string;
  trade_state: TradeState;
  trade_state_desc: string;
  transaction_id: string;
  total_fee: number;
  order_status: number;
  paid_at?: string | null;
}

/** POST /pay/wechat/close */
export interface PaymentClosed {
  order_no: string;
  trade_state: TradeState;
}

export type RefundStatus = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL' | (string & {});

/** POST /pay/wechat/refund */
export interface RefundResult {
  order_no: string;
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  status: RefundStatus;
  refunded_fee: number;
  refundable_fee: number;
  order_status: number;
}

// --- live sale dashboard (admin) -------------------------------------------------------
/** A figure the server computed, or null when its metric is absent or nothing was measured. */
export type Figure = number | null;
/** One figure per sample interval, aligned with `at_ms`. */
export type FigureLine = Figure[];

export interface RouteFigures {
  route: string;
  method: string;
  requests: Figure;
  request_rate: Figure;
  error_rate: Figure;
  p99_seconds: Figure;
}

export interface ShopDashboard {
  sampled_at_ms: number | null;
  interval_ms: number;
  window_seconds: number;
  request_rate: Figure;
  error_rate: Figure;
  error_ratio: Figure;
  p50_seconds: Figure;
  p99_seconds: Figure;
  in_flight: Figure;
  connections_open: Figure;
  routes: RouteFigures[];
  series: { at_ms: number[]; request_rate: FigureLine; error_rate: FigureLine; p99_seconds: FigureLine };
}

export interface OutcomeFigures {
  outcome: string;
  total: Figure;
  rate: Figure;
}

export interface SeckillDashboard {
  activity_id: number;
  sampled_at_ms: number | null;
  interval_ms: number;
  window_seconds: number;
  units_left: Figure;
  queue_depth: Figure;
  sse_clients: Figure;
  orders_written: Figure;
  orders_written_rate: Figure;
  handoff: { p50_seconds: Figure; p99_seconds: Figure; count: Figure };
  attempts: OutcomeFigures[];
  series: {
    at_ms: number[];
    units_left: FigureLine;
    queue_depth: FigureLine;
    orders_written_rate: FigureLine;
    handoff_p50_seconds: FigureLine;
    handoff_p99_seconds: FigureLine;
    attempt_rate: Record<string, FigureLine>;
  };
}
