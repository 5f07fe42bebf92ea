module example.org/installer

go 1.21
