/** Reports (issue 7 fills this in). */
export const reportsMethods = {};
