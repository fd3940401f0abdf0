fn main() {
    println!("matrix: under construction");
}
