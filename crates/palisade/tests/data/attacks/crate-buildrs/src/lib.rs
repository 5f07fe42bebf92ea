pub struct Decimal(i128);
