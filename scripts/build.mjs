console.log('build stub')
