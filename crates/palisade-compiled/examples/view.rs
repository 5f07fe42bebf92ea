//! Prints the view of each compiled file named on the command line.
fn main() {
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).expect("readable file");
        match palisade_compiled::read(&data) {
            Ok(Some(view)) => print!("{}", view.text),
            Ok(None) => eprintln!("{path}: not compiled code read here"),
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
